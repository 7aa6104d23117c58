package dev.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class RequestTimeoutTest {

  @Test
  void defaultsToAMinuteAndLeavesTheProviderASecondLess() {
    RequestTimeout timeout = RequestTimeout.from(Env.of(Map.of()));
    assertThat(timeout.callerWaitMs()).isEqualTo(60_000);
    assertThat(timeout.providerDeadlineMs()).isEqualTo(59_000);
  }

  @Test
  void refusesAWaitTooShortToLeaveTheProviderAnyTime() {
    assertThatThrownBy(() -> RequestTimeout.from(Env.of(Map.of("REQUEST_TIMEOUT_MS", "1500"))))
        .isInstanceOf(ConfigException.class)
        .hasMessage("REQUEST_TIMEOUT_MS must be at least 2000");
  }
}

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

  @Test
  void theProviderDeadlineMayBeShorterButNeverLongerThanTheWaitLessASecond() {
    RequestTimeout shorter =
        RequestTimeout.from(
            Env.of(Map.of("REQUEST_TIMEOUT_MS", "10000", "PROVIDER_DEADLINE_MS", "4000")));
    assertThat(shorter.providerDeadlineMs()).isEqualTo(4_000);
    assertThat(
            RequestTimeout.from(Env.of(Map.of("REQUEST_TIMEOUT_MS", "10000"))).providerDeadlineMs())
        .isEqualTo(9_000);
    for (String bad : new String[] {"9001", "0", "-5"}) {
      assertThatThrownBy(
              () ->
                  RequestTimeout.from(
                      Env.of(Map.of("REQUEST_TIMEOUT_MS", "10000", "PROVIDER_DEADLINE_MS", bad))))
          .isInstanceOf(ConfigException.class)
          .hasMessage("PROVIDER_DEADLINE_MS must be from 1 to REQUEST_TIMEOUT_MS - 1000 (9000)");
    }
  }
}

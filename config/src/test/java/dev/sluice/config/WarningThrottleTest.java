package dev.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class WarningThrottleTest {
  private final AtomicLong nanos = new AtomicLong(1_000);
  private final WarningThrottle throttle = new WarningThrottle(Duration.ofSeconds(60), nanos::get);

  private void advance(Duration by) {
    nanos.addAndGet(by.toNanos());
  }

  @Test
  void letsTheFirstWarningThroughAndHoldsBackTheRestOfTheInterval() {
    assertThat(throttle.admit("llm.requests")).isEqualTo(OptionalLong.of(0));
    for (int i = 0; i < 19; i++) {
      assertThat(throttle.admit("llm.requests")).isEmpty();
    }
    advance(Duration.ofSeconds(59));
    assertThat(throttle.admit("llm.requests")).isEmpty();
  }

  @Test
  void theNextWarningAfterTheIntervalCountsWhatWasHeldBack() {
    throttle.admit("llm.requests");
    throttle.admit("llm.requests");
    throttle.admit("llm.requests");
    advance(Duration.ofSeconds(60));

    assertThat(throttle.admit("llm.requests")).isEqualTo(OptionalLong.of(2));
    assertThat(throttle.admit("llm.requests")).isEmpty();
    advance(Duration.ofMinutes(5));
    assertThat(throttle.admit("llm.requests")).isEqualTo(OptionalLong.of(1));
  }

  @Test
  void keysAreThrottledApart() {
    assertThat(throttle.admit("llm.requests")).isPresent();
    assertThat(throttle.admit("llm.replies")).isPresent();
    assertThat(throttle.admit("llm.requests")).isEmpty();
    assertThat(throttle.admit("llm.replies")).isEmpty();
  }

  @Test
  void aZeroIntervalLetsEveryWarningThrough() {
    WarningThrottle open = new WarningThrottle(Duration.ZERO, nanos::get);
    assertThat(open.admit("t")).isEqualTo(OptionalLong.of(0));
    assertThat(open.admit("t")).isEqualTo(OptionalLong.of(0));
  }

  @Test
  void refusesANegativeInterval() {
    assertThatThrownBy(() -> new WarningThrottle(Duration.ofSeconds(-1), nanos::get))
        .isInstanceOf(IllegalArgumentException.class);
  }
}

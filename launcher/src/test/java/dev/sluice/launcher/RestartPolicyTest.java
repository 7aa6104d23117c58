package dev.sluice.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Restarts back off exponentially up to a cap, and stop after too many failures in a window. */
class RestartPolicyTest {
  private static final RestartPolicy POLICY =
      new RestartPolicy(Duration.ofMillis(250), Duration.ofSeconds(3), 5, Duration.ofMinutes(3));

  @Test
  void theDelayDoublesFromTheFirstUpToTheCap() {
    assertThat(POLICY.delay(1)).isEqualTo(Duration.ofMillis(250));
    assertThat(POLICY.delay(2)).isEqualTo(Duration.ofMillis(500));
    assertThat(POLICY.delay(3)).isEqualTo(Duration.ofSeconds(1));
    assertThat(POLICY.delay(4)).isEqualTo(Duration.ofSeconds(2));
    assertThat(POLICY.delay(5)).isEqualTo(Duration.ofSeconds(3));
    assertThat(POLICY.delay(40)).isEqualTo(Duration.ofSeconds(3));
  }

  @Test
  void restartsUpToTheLimitWithinTheWindowThenGivesUp() {
    List<Long> failures = new ArrayList<>();
    for (int restart = 1; restart <= 5; restart++) {
      failures.add(restart * 1_000L);
      RestartDecision decision = POLICY.afterFailure(failures, 137);
      assertThat(decision).isEqualTo(new RestartDecision.Restart(POLICY.delay(restart), restart));
    }
    failures.add(6_000L);
    assertThat(POLICY.afterFailure(failures, 137))
        .isEqualTo(new RestartDecision.GiveUp("it failed 6 times within 3 minutes"));
  }

  @Test
  void failuresOutsideTheWindowAreForgiven() {
    long minutes = 60_000L;
    // Five failures long ago, then one now: the first restart of a new streak, at once.
    List<Long> failures = new ArrayList<>(List.of(0L, 1L, 2L, 3L, 4L));
    failures.add(10 * minutes);
    assertThat(POLICY.afterFailure(failures, 1))
        .isEqualTo(new RestartDecision.Restart(Duration.ofMillis(250), 1));
    // A failure exactly one window after another no longer counts it.
    assertThat(POLICY.afterFailure(List.of(0L, 3 * minutes), 1))
        .isEqualTo(new RestartDecision.Restart(Duration.ofMillis(250), 1));
    assertThat(POLICY.afterFailure(List.of(1L, 3 * minutes), 1))
        .isEqualTo(new RestartDecision.Restart(Duration.ofMillis(500), 2));
  }

  @Test
  void aPartThatRefusedItsConfigurationIsNotRestarted() {
    assertThat(POLICY.afterFailure(List.of(0L), RestartPolicy.CONFIGURATION_REFUSED))
        .isEqualTo(new RestartDecision.GiveUp("it refused its configuration"));
  }

  @Test
  void theDefaultRestartsQuicklyAndGivesUpAfterFiveInThreeMinutes() {
    RestartPolicy policy = RestartPolicy.DEFAULT;
    assertThat(policy.delay(1)).isEqualTo(Duration.ofMillis(250));
    assertThat(policy.maxRestarts()).isEqualTo(5);
    assertThat(policy.window()).isEqualTo(Duration.ofMinutes(3));
    assertThat(policy.delay(100)).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void refusesAPolicyThatMakesNoSense() {
    assertThatThrownBy(
            () ->
                new RestartPolicy(
                    Duration.ofSeconds(2), Duration.ofSeconds(1), 3, Duration.ofMinutes(1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> new RestartPolicy(Duration.ZERO, Duration.ZERO, -1, Duration.ofMinutes(1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RestartPolicy(Duration.ZERO, Duration.ZERO, 1, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> POLICY.afterFailure(List.of(), 1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void exitStatusesReadAsPeopleSayThem() {
    assertThat(ChildProcess.describeExit(137)).isEqualTo("exit 137 (killed by signal 9)");
    assertThat(ChildProcess.describeExit(143)).isEqualTo("exit 143 (killed by signal 15)");
    assertThat(ChildProcess.describeExit(1)).isEqualTo("exit 1");
  }
}

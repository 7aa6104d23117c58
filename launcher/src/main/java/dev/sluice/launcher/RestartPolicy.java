package dev.sluice.launcher;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * When the launcher restarts a part that stopped on its own: at once at first, then waiting twice
 * as long after each further failure, up to a cap, and not at all once a part has failed more than
 * {@code maxRestarts} times within {@code window}. A part that keeps failing is broken, not
 * unlucky: restarting it for ever would hide that behind a run that looks alive.
 *
 * @param firstDelay the wait before the first restart
 * @param maxDelay the longest wait between restarts
 * @param maxRestarts restarts allowed within {@code window}; the failure after them gives up
 * @param window how far back failures count
 */
record RestartPolicy(Duration firstDelay, Duration maxDelay, int maxRestarts, Duration window) {
  /**
   * A crashed pipeline is back in about 10 s on a 2-core machine and its callers wait {@code
   * REQUEST_TIMEOUT_MS} (60 s): the first restart must be quick. Five restarts within three minutes
   * take about 8 s of waiting on top of the starts themselves.
   */
  static final RestartPolicy DEFAULT =
      new RestartPolicy(Duration.ofMillis(250), Duration.ofSeconds(10), 5, Duration.ofMinutes(3));

  /**
   * The exit status of a part that refused its configuration (a wrong variable, a broken policy
   * bundle): it would refuse it again, so it is not restarted.
   */
  static final int CONFIGURATION_REFUSED = 2;

  RestartPolicy {
    Objects.requireNonNull(firstDelay, "firstDelay");
    Objects.requireNonNull(maxDelay, "maxDelay");
    Objects.requireNonNull(window, "window");
    if (firstDelay.isNegative() || maxDelay.compareTo(firstDelay) < 0) {
      throw new IllegalArgumentException("delays must satisfy 0 <= firstDelay <= maxDelay");
    }
    if (maxRestarts < 0 || window.isNegative() || window.isZero()) {
      throw new IllegalArgumentException("maxRestarts must be >= 0 and the window positive");
    }
  }

  /**
   * What to do about a part that stopped with {@code exitStatus}.
   *
   * @param failuresMs when the part stopped on its own, oldest first, this failure last
   *     (milliseconds on any one clock)
   */
  RestartDecision afterFailure(List<Long> failuresMs, int exitStatus) {
    if (failuresMs.isEmpty()) {
      throw new IllegalArgumentException("the failure being decided must be in failuresMs");
    }
    if (exitStatus == CONFIGURATION_REFUSED) {
      return new RestartDecision.GiveUp("it refused its configuration");
    }
    long now = failuresMs.get(failuresMs.size() - 1);
    long recent = failuresMs.stream().filter(at -> now - at < window.toMillis()).count();
    if (recent > maxRestarts) {
      return new RestartDecision.GiveUp(
          "it failed " + recent + " times within " + describe(window));
    }
    return new RestartDecision.Restart(delay((int) recent), (int) recent);
  }

  /** The wait before restart number {@code restart} (1 for the first) within the window. */
  Duration delay(int restart) {
    Duration delay = firstDelay;
    for (int i = 1; i < restart && delay.compareTo(maxDelay) < 0; i++) {
      delay = delay.multipliedBy(2);
    }
    return delay.compareTo(maxDelay) > 0 ? maxDelay : delay;
  }

  static String describe(Duration duration) {
    if (duration.toMinutes() > 0 && duration.toSecondsPart() == 0) {
      return duration.toMinutes() + (duration.toMinutes() == 1 ? " minute" : " minutes");
    }
    if (duration.toSeconds() > 0 && duration.toMillisPart() == 0) {
      return duration.toSeconds() + " s";
    }
    return duration.toMillis() + " ms";
  }
}

package dev.sluice.launcher;

import java.time.Duration;
import java.util.Objects;

/** What the launcher does about a part that stopped on its own ({@link RestartPolicy}). */
sealed interface RestartDecision {

  /**
   * Start it again after {@code delay}.
   *
   * @param restart which restart within the policy's window this is, from 1
   */
  record Restart(Duration delay, int restart) implements RestartDecision {
    public Restart {
      Objects.requireNonNull(delay, "delay");
    }
  }

  /** Stop everything: the part cannot be kept running, for {@code reason}. */
  record GiveUp(String reason) implements RestartDecision {
    public GiveUp {
      Objects.requireNonNull(reason, "reason");
    }
  }
}

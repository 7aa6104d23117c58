package dev.sluice.egress.circuit;

import java.time.InstantSource;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The circuit of one provider. It opens after {@link CircuitSettings#failureThreshold()}
 * consecutive faults, refuses every call for {@link CircuitSettings#openFor()}, then turns
 * half-open and lets one probe call through at a time: a probe that succeeds closes the circuit,
 * one that fails opens it for another period, and one that ends neutrally lets the next call probe.
 *
 * <p>Thread-safe without locks: the whole state is one immutable {@link Snapshot} replaced by
 * compare-and-set, so exactly one caller wins each transition (and logs it), and exactly one call
 * gets the half-open probe. A probe that has not reported within an open period is presumed lost
 * and another call may probe, so a call that never ends cannot keep the circuit half-open for good.
 */
public final class CircuitBreaker {
  private static final Logger LOGGER = LoggerFactory.getLogger(CircuitBreaker.class);

  private final String name;
  private final CircuitSettings settings;
  private final InstantSource clock;
  private final AtomicReference<Snapshot> current = new AtomicReference<>(Snapshot.initial());

  /**
   * @param name the provider's name, for logs
   */
  public CircuitBreaker(String name, CircuitSettings settings) {
    this(name, settings, InstantSource.system());
  }

  /** Tests move time with their own clock. */
  CircuitBreaker(String name, CircuitSettings settings, InstantSource clock) {
    this.name = Objects.requireNonNull(name, "name");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  public String name() {
    return name;
  }

  public CircuitSettings settings() {
    return settings;
  }

  /**
   * The circuit's state as the next call would find it: an open circuit whose period is over
   * reports {@link CircuitState#HALF_OPEN}, though it turns half-open only when that call comes.
   */
  public CircuitState state() {
    Snapshot snapshot = current.get();
    if (snapshot.state() == CircuitState.OPEN
        && snapshot.elapsed(clock.millis(), settings.openMs())) {
      return CircuitState.HALF_OPEN;
    }
    return snapshot.state();
  }

  /**
   * Asks to let one call through. A {@link Admission.Granted} call must report its outcome on the
   * permit exactly once, whichever way it ends, or a half-open circuit waits a whole open period
   * for a probe presumed lost.
   */
  public Admission tryAcquire() {
    long openMs = settings.openMs();
    while (true) {
      Snapshot before = current.get();
      long nowMs = clock.millis();
      Snapshot after;
      if (before.state() == CircuitState.CLOSED) {
        return new Admission.Granted(new Permit(this, before.generation()));
      } else if (before.state() == CircuitState.OPEN) {
        if (!before.elapsed(nowMs, openMs)) {
          return new Admission.Rejected(retryAfterSeconds(before.sinceMs() + openMs - nowMs));
        }
        after = before.probing(nowMs, true);
      } else if (!before.probeOut()) {
        after = before.probing(nowMs, false);
      } else if (before.elapsed(nowMs, openMs)) {
        after = before.probing(nowMs, true);
      } else {
        // The probe is out and may close the circuit any moment.
        return new Admission.Rejected(1);
      }
      if (current.compareAndSet(before, after)) {
        logTransition(before, after);
        return new Admission.Granted(new Permit(this, after.generation()));
      }
    }
  }

  /** A permit of {@code generation} reports its call's outcome. */
  void settle(long generation, CallOutcome outcome) {
    while (true) {
      Snapshot before = current.get();
      if (before.generation() != generation) {
        return; // the circuit moved on since this call began
      }
      Snapshot after = before.after(outcome, clock.millis(), settings.failureThreshold());
      if (after == before || current.compareAndSet(before, after)) {
        logTransition(before, after);
        return;
      }
    }
  }

  long nowMs() {
    return clock.millis();
  }

  static int retryAfterSeconds(long remainingMs) {
    long seconds = remainingMs / 1000 + (remainingMs % 1000 > 0 ? 1 : 0);
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, seconds));
  }

  private void logTransition(Snapshot before, Snapshot after) {
    if (before.state() == after.state()) {
      if (after.state() == CircuitState.HALF_OPEN && after.generation() != before.generation()) {
        LOGGER
            .atWarn()
            .addKeyValue("provider", name)
            .log("provider circuit probe did not report in time; probing again");
      }
      return;
    }
    if (after.state() == CircuitState.OPEN) {
      LOGGER
          .atWarn()
          .addKeyValue("provider", name)
          .addKeyValue("from", before.state())
          .addKeyValue("openForMs", settings.openMs())
          .log(
              before.state() == CircuitState.HALF_OPEN
                  ? "provider circuit re-opened: the probe failed"
                  : "provider circuit opened after consecutive faults");
    } else if (after.state() == CircuitState.HALF_OPEN) {
      LOGGER
          .atInfo()
          .addKeyValue("provider", name)
          .log("provider circuit half-open: probing the provider");
    } else {
      LOGGER.atInfo().addKeyValue("provider", name).log("provider circuit closed");
    }
  }
}

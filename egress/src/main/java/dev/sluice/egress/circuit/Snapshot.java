package dev.sluice.egress.circuit;

/**
 * One immutable state of a circuit, swapped atomically as a whole.
 *
 * <p>Every change of state starts a new generation. A permit remembers the generation it was issued
 * in, so an outcome arriving after the circuit moved on (a slow call from before it opened, a probe
 * presumed lost) cannot move it again.
 *
 * @param failures consecutive faults, counted only while closed
 * @param sinceMs when the circuit opened (open), or when the probe went out (half-open)
 * @param probeOut whether a half-open circuit's probe is out
 */
record Snapshot(CircuitState state, int failures, long sinceMs, boolean probeOut, long generation) {

  static Snapshot initial() {
    return new Snapshot(CircuitState.CLOSED, 0, 0, false, 0);
  }

  Snapshot closed() {
    return new Snapshot(CircuitState.CLOSED, 0, 0, false, generation + 1);
  }

  Snapshot opened(long nowMs) {
    return new Snapshot(CircuitState.OPEN, 0, nowMs, false, generation + 1);
  }

  /** Half-open with a probe just sent; a new generation orphans any earlier probe. */
  Snapshot probing(long nowMs, boolean newGeneration) {
    return new Snapshot(
        CircuitState.HALF_OPEN, 0, nowMs, true, newGeneration ? generation + 1 : generation);
  }

  /**
   * Whether {@code periodMs} has passed since {@link #sinceMs}; a clock set back counts as passed.
   */
  boolean elapsed(long nowMs, long periodMs) {
    long elapsed = nowMs - sinceMs;
    return elapsed < 0 || elapsed >= periodMs;
  }

  /** The state after a call of this generation ended; this same instance when nothing changes. */
  Snapshot after(CallOutcome outcome, long nowMs, int failureThreshold) {
    if (state == CircuitState.CLOSED) {
      if (outcome == CallOutcome.SUCCESS) {
        return failures == 0 ? this : new Snapshot(state, 0, sinceMs, false, generation);
      }
      if (outcome == CallOutcome.FAULT) {
        return failures + 1 >= failureThreshold
            ? opened(nowMs)
            : new Snapshot(state, failures + 1, sinceMs, false, generation);
      }
      return this;
    }
    if (state == CircuitState.HALF_OPEN) {
      if (outcome == CallOutcome.SUCCESS) {
        return closed();
      }
      if (outcome == CallOutcome.FAULT) {
        return opened(nowMs);
      }
      // The probe told us nothing: the next call probes instead.
      return new Snapshot(state, 0, sinceMs, false, generation);
    }
    return this;
  }
}

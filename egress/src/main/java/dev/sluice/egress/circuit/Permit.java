package dev.sluice.egress.circuit;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One call's pass through a {@link CircuitBreaker}. Only the first outcome recorded counts: a call
 * both cancelled by its caller and later failed by its provider is reported once.
 */
public final class Permit {
  private final CircuitBreaker breaker;
  private final long generation;
  private final AtomicBoolean recorded = new AtomicBoolean();

  Permit(CircuitBreaker breaker, long generation) {
    this.breaker = breaker;
    this.generation = generation;
  }

  /** Reports how the call ended; calls after the first are ignored. */
  public void record(CallOutcome outcome) {
    if (recorded.compareAndSet(false, true)) {
      breaker.settle(generation, outcome);
    }
  }
}

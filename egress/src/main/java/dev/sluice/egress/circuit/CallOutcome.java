package dev.sluice.egress.circuit;

/** What a call that went through the circuit tells it about the provider's health. */
public enum CallOutcome {
  /** The provider answered: resets the fault count, and closes a half-open circuit. */
  SUCCESS,
  /** The provider failed or did not answer in time: counts towards opening the circuit. */
  FAULT,
  /**
   * Nothing about the provider's health (it refused this request, rate-limited us, or the caller
   * cancelled): the count is left alone, and a half-open circuit lets the next call probe.
   */
  NEUTRAL
}

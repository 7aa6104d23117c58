package dev.sluice.egress.circuit;

/** Where a provider's circuit stands, for logs and health. */
public enum CircuitState {
  /** Calls go through; consecutive faults are counted. */
  CLOSED,
  /** Calls fail at once without reaching the provider. */
  OPEN,
  /** The open period is over: one probe call at a time may go through to test the provider. */
  HALF_OPEN
}

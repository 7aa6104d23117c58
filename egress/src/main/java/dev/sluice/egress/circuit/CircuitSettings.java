package dev.sluice.egress.circuit;

import dev.sluice.config.ConfigException;
import dev.sluice.config.Env;
import java.time.Duration;
import java.util.Objects;

/**
 * When a provider's circuit opens and for how long.
 *
 * @param failureThreshold consecutive provider faults that open the circuit ({@code
 *     CIRCUIT_FAILURE_THRESHOLD}, default 5)
 * @param openFor how long an open circuit refuses calls before it lets a probe through ({@code
 *     CIRCUIT_OPEN_MS}, default 30000)
 */
public record CircuitSettings(int failureThreshold, Duration openFor) {
  public static final int DEFAULT_FAILURE_THRESHOLD = 5;
  public static final long DEFAULT_OPEN_MS = 30_000;
  public static final CircuitSettings DEFAULTS =
      new CircuitSettings(DEFAULT_FAILURE_THRESHOLD, Duration.ofMillis(DEFAULT_OPEN_MS));

  public CircuitSettings {
    Objects.requireNonNull(openFor, "openFor");
    if (failureThreshold < 1) {
      throw new ConfigException("CIRCUIT_FAILURE_THRESHOLD must be >= 1");
    }
    if (openFor.compareTo(Duration.ofMillis(1)) < 0) {
      throw new ConfigException("CIRCUIT_OPEN_MS must be >= 1");
    }
  }

  /** Reads {@code CIRCUIT_FAILURE_THRESHOLD} and {@code CIRCUIT_OPEN_MS}, with their defaults. */
  public static CircuitSettings from(Env env) {
    return new CircuitSettings(
        env.getInt("CIRCUIT_FAILURE_THRESHOLD", DEFAULT_FAILURE_THRESHOLD),
        Duration.ofMillis(env.getLong("CIRCUIT_OPEN_MS", DEFAULT_OPEN_MS)));
  }

  /** The open period in milliseconds; a period too long for a {@code long} saturates. */
  long openMs() {
    try {
      return openFor.toMillis();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }
}

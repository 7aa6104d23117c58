package dev.sluice.pipeline.stage;

import dev.sluice.schemas.envelope.VerifiedRequest;

/**
 * A guardrail that judges a verified request before the provider is called (validation, context
 * firewall, policy, rate limit). A pure function of the request and its own configuration: it runs
 * on a stream thread, so it never does network I/O.
 */
public interface RequestStage {

  /** The stage's name in replies, audit records and metrics, e.g. {@code validate}. */
  String name();

  /**
   * @param nowMs the stream's current wall-clock time (testable through the topology driver)
   */
  StageDecision apply(VerifiedRequest request, long nowMs);
}

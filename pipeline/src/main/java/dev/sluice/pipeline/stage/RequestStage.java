package dev.sluice.pipeline.stage;

import dev.sluice.pipeline.chain.Exchange;
import dev.sluice.pipeline.chain.SyncStage;
import dev.sluice.pipeline.chain.Verdict;
import dev.sluice.schemas.envelope.VerifiedRequest;

/**
 * A guardrail that judges a verified request before the provider is called (validation, context
 * firewall, policy, rate limit). A pure function of the request and its own configuration: it runs
 * on a stream thread, so it never does network I/O.
 */
public interface RequestStage extends SyncStage {

  /**
   * @param nowMs the stream's current wall-clock time (testable through the topology driver)
   */
  StageDecision apply(VerifiedRequest request, long nowMs);

  @Override
  default Verdict run(Exchange exchange, long nowMs) {
    StageDecision decision = apply(exchange.request(), nowMs);
    if (decision instanceof StageDecision.Deny deny) {
      return Verdict.stop(deny.refusal());
    }
    VerifiedRequest passed = ((StageDecision.Pass) decision).request();
    return passed == exchange.request()
        ? Verdict.next(exchange)
        : Verdict.next(exchange.withRequest(passed));
  }
}

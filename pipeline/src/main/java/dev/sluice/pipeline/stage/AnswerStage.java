package dev.sluice.pipeline.stage;

import dev.sluice.pipeline.chain.Exchange;
import dev.sluice.pipeline.chain.SyncStage;
import dev.sluice.pipeline.chain.Verdict;
import dev.sluice.schemas.envelope.VerifiedRequest;
import dev.sluice.schemas.reply.ChatCompletion;

/**
 * A guardrail that transforms the provider's answer before it reaches a reply topic (redaction).
 * Pure, and run on the stream thread, after the provider stage. If it throws, the chain withholds
 * the answer (500): an answer that skipped a stage such as redaction never reaches a caller.
 */
public interface AnswerStage extends SyncStage {

  ChatCompletion apply(VerifiedRequest request, ChatCompletion completion);

  @Override
  default Verdict run(Exchange exchange, long nowMs) {
    if (!exchange.answered()) {
      throw new IllegalStateException(name() + " runs after the provider stage");
    }
    return Verdict.next(exchange.withCompletion(apply(exchange.request(), exchange.completion())));
  }
}

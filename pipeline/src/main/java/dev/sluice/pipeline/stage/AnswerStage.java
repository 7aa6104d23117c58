package dev.sluice.pipeline.stage;

import dev.sluice.schemas.envelope.VerifiedRequest;
import dev.sluice.schemas.reply.ChatCompletion;

/**
 * A guardrail that transforms the provider's answer before it reaches a reply topic (redaction).
 * Pure, and run on the stream thread.
 */
public interface AnswerStage {

  String name();

  ChatCompletion apply(VerifiedRequest request, ChatCompletion completion);
}

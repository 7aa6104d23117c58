package dev.sluice.pipeline.flow;

import dev.sluice.schemas.StageName;
import dev.sluice.schemas.envelope.ReplyTo;
import dev.sluice.schemas.envelope.Source;
import dev.sluice.schemas.envelope.VerifiedRequest;
import dev.sluice.schemas.reply.ReplyEnvelope;
import java.util.Objects;

/**
 * A request whose answer is decided.
 *
 * @param source the entry point, known from the topic even before verification
 * @param request the verified request, or null when it was refused before verification
 * @param stage the stage that decided
 */
public record Settled(
    ReplyTo replyTo, Source source, VerifiedRequest request, StageName stage, ReplyEnvelope reply)
    implements Step {
  public Settled {
    Objects.requireNonNull(replyTo, "replyTo");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(stage, "stage");
    Objects.requireNonNull(reply, "reply");
  }

  @Override
  public String requestId() {
    return reply.requestId();
  }

  /** The same decision with its final reply (after the answer stages). */
  public Settled withReply(ReplyEnvelope finalReply) {
    return new Settled(replyTo, source, request, stage, finalReply);
  }
}

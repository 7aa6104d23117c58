package dev.sluice.pipeline.flow;

import dev.sluice.schemas.envelope.ReplyTo;
import dev.sluice.schemas.envelope.VerifiedRequest;
import dev.sluice.schemas.reply.ReplyEnvelope;
import java.util.Objects;

/**
 * A request whose answer is decided.
 *
 * @param request the verified request, or null when it was refused before verification
 * @param stage the stage that decided
 */
public record Settled(ReplyTo replyTo, VerifiedRequest request, String stage, ReplyEnvelope reply)
    implements Step {
  public Settled {
    Objects.requireNonNull(replyTo, "replyTo");
    Objects.requireNonNull(stage, "stage");
    Objects.requireNonNull(reply, "reply");
  }

  @Override
  public String requestId() {
    return reply.requestId();
  }
}

package dev.sluice.pipeline.flow;

import dev.sluice.schemas.Principal;
import dev.sluice.schemas.StageName;
import dev.sluice.schemas.audit.RateLimitRecord;
import dev.sluice.schemas.envelope.ReplyTo;
import dev.sluice.schemas.envelope.Source;
import dev.sluice.schemas.envelope.VerifiedRequest;
import dev.sluice.schemas.reply.ReplyEnvelope;
import java.util.Objects;

/**
 * A request whose answer is decided.
 *
 * @param source the entry point, known from the topic even before verification
 * @param principal who sent it, once the credential was verified; null when it was refused before
 *     or by authentication. A request refused for its shape has a principal but no request, and its
 *     audit record still names the tenant and subject.
 * @param request the verified request, or null when it was refused before it became one
 * @param stage the stage that decided
 * @param rateLimit the rate-limit stage's decision, for the audit record; null when the request did
 *     not reach it
 */
public record Settled(
    ReplyTo replyTo,
    Source source,
    Principal principal,
    VerifiedRequest request,
    StageName stage,
    ReplyEnvelope reply,
    RateLimitRecord rateLimit)
    implements Step {
  public Settled {
    Objects.requireNonNull(replyTo, "replyTo");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(stage, "stage");
    Objects.requireNonNull(reply, "reply");
    if (request != null && !request.principal().equals(principal)) {
      throw new IllegalArgumentException("a verified request settles under its own principal");
    }
  }

  public Settled(
      ReplyTo replyTo,
      Source source,
      Principal principal,
      VerifiedRequest request,
      StageName stage,
      ReplyEnvelope reply) {
    this(replyTo, source, principal, request, stage, reply, null);
  }

  /** A verified request's decision. */
  public static Settled of(VerifiedRequest request, StageName stage, ReplyEnvelope reply) {
    return of(request, stage, reply, null);
  }

  /** A verified request's decision, with the rate-limit stage's. */
  public static Settled of(
      VerifiedRequest request, StageName stage, ReplyEnvelope reply, RateLimitRecord rateLimit) {
    return new Settled(
        request.replyTo(), request.source(), request.principal(), request, stage, reply, rateLimit);
  }

  @Override
  public String requestId() {
    return reply.requestId();
  }

  /** The same decision with its final reply (after the answer stages). */
  public Settled withReply(ReplyEnvelope finalReply) {
    return new Settled(replyTo, source, principal, request, stage, finalReply, rateLimit);
  }
}

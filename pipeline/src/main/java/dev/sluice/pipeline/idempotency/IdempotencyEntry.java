package dev.sluice.pipeline.idempotency;

import dev.sluice.schemas.Principal;
import dev.sluice.schemas.envelope.ReplyTo;
import dev.sluice.schemas.envelope.Source;
import dev.sluice.schemas.reply.ReplyEnvelope;
import java.util.List;
import java.util.Objects;

/**
 * What the gateway keeps for one Idempotency-Key of one tenant and subject: the first call's body
 * hash and request id, its reply once there is one, and the repeats waiting for it meanwhile. Holds
 * no prompt: the repeats' own requests are not kept, only where to answer them.
 *
 * @param bodySha256 hex SHA-256 of the first call's request as the gateway read it
 * @param reply the first call's reply, as the pipeline settled it; null while it runs
 * @param waiters repeats that came while the first call ran, answered with its reply
 */
public record IdempotencyEntry(
    String bodySha256,
    String firstRequestId,
    long firstAtMs,
    ReplyEnvelope reply,
    List<Waiter> waiters) {

  public IdempotencyEntry {
    Objects.requireNonNull(bodySha256, "bodySha256");
    Objects.requireNonNull(firstRequestId, "firstRequestId");
    waiters = waiters == null ? List.of() : List.copyOf(waiters);
  }

  /** A repeat waiting for the first call's reply: where to send it and under which id. */
  public record Waiter(String requestId, ReplyTo replyTo, Source source, Principal principal) {}

  /** The same entry with one more waiter. */
  IdempotencyEntry withWaiter(Waiter waiter) {
    List<Waiter> more = new java.util.ArrayList<>(waiters);
    more.add(waiter);
    return new IdempotencyEntry(bodySha256, firstRequestId, firstAtMs, reply, more);
  }

  /** The entry once the first call settled with {@code settledReply}, no one waiting any more. */
  IdempotencyEntry settled(ReplyEnvelope settledReply) {
    return new IdempotencyEntry(bodySha256, firstRequestId, firstAtMs, settledReply, List.of());
  }

  @Override
  public String toString() {
    return "IdempotencyEntry[first="
        + firstRequestId
        + ", settled="
        + (reply != null)
        + ", waiters="
        + waiters.size()
        + "]";
  }
}

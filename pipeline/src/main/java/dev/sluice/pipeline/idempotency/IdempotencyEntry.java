package dev.sluice.pipeline.idempotency;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.sluice.schemas.Principal;
import dev.sluice.schemas.envelope.ReplyTo;
import dev.sluice.schemas.envelope.Source;
import dev.sluice.schemas.reply.ReplyEnvelope;
import java.util.List;
import java.util.Objects;

/**
 * What the gateway keeps for one Idempotency-Key of one tenant and subject: the first call's body
 * hash and request id, whether it has settled, and the repeats waiting for it meanwhile. The first
 * call's reply itself is in the reply store under its request id ({@code ReplyStore}). Holds no
 * prompt: the repeats' own requests are not kept, only where to answer them.
 *
 * @param bodySha256 hex SHA-256 of the first call's request as the gateway read it
 * @param settled whether the first call has settled with an answer worth repeating
 * @param waiters repeats that came while the first call ran, answered with its reply
 * @param legacyReply the first call's reply, in an entry written before the reply store existed
 *     (which kept the answer in the entry, as {@code reply}); read from such entries so that a key
 *     settled before an upgrade is still answered, never written
 */
public record IdempotencyEntry(
    String bodySha256,
    String firstRequestId,
    long firstAtMs,
    Boolean settled,
    List<Waiter> waiters,
    @JsonProperty("reply") @JsonInclude(JsonInclude.Include.NON_NULL) ReplyEnvelope legacyReply) {

  public IdempotencyEntry {
    Objects.requireNonNull(bodySha256, "bodySha256");
    Objects.requireNonNull(firstRequestId, "firstRequestId");
    waiters = waiters == null ? List.of() : List.copyOf(waiters);
    // Absent from entries written before the reply store: settled when they hold a reply.
    settled = Boolean.TRUE.equals(settled) || legacyReply != null;
  }

  IdempotencyEntry(
      String bodySha256,
      String firstRequestId,
      long firstAtMs,
      boolean settled,
      List<Waiter> waiters) {
    this(bodySha256, firstRequestId, firstAtMs, settled, waiters, null);
  }

  /** A repeat waiting for the first call's reply: where to send it and under which id. */
  public record Waiter(String requestId, ReplyTo replyTo, Source source, Principal principal) {}

  /** The same entry with one more waiter. */
  IdempotencyEntry withWaiter(Waiter waiter) {
    List<Waiter> more = new java.util.ArrayList<>(waiters);
    more.add(waiter);
    return new IdempotencyEntry(bodySha256, firstRequestId, firstAtMs, settled, more);
  }

  /** The entry once the first call settled, no one waiting any more. */
  IdempotencyEntry asSettled() {
    return new IdempotencyEntry(bodySha256, firstRequestId, firstAtMs, true, List.of());
  }

  @Override
  public String toString() {
    return "IdempotencyEntry[first="
        + firstRequestId
        + ", settled="
        + settled
        + ", waiters="
        + waiters.size()
        + "]";
  }
}

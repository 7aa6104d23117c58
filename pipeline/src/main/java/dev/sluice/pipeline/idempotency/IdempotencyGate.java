package dev.sluice.pipeline.idempotency;

import dev.sluice.pipeline.flow.Admitted;
import dev.sluice.pipeline.flow.Settled;
import dev.sluice.pipeline.flow.Step;
import dev.sluice.pipeline.reply.Replies;
import dev.sluice.pipeline.reply.ReplyStore;
import dev.sluice.pipeline.stage.Refusal;
import dev.sluice.schemas.StageName;
import dev.sluice.schemas.envelope.VerifiedRequest;
import dev.sluice.schemas.reply.ErrorCode;
import dev.sluice.schemas.reply.ReplyEnvelope;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.WindowStore;

/**
 * Before the stages: a request with an Idempotency-Key goes on when it is the key's first call (or
 * that call read again after a crash, or a repeat of a first call taken for lost); a repeat of the
 * same body is answered with the first call's reply, or waits for it; a repeat with another body is
 * refused (422 {@code idempotency_key_reused}). {@link Idempotency} has the rules.
 */
public final class IdempotencyGate implements Processor<String, Step, String, Step> {
  private final String storeName;
  private final String repliesName;
  private ProcessorContext<String, Step> context;
  private KeyValueStore<String, IdempotencyEntry> store;
  private WindowStore<String, byte[]> replies;

  /**
   * @param storeName the sub-topology's store of keys
   * @param repliesName its reply store, where a settled first call's reply is read
   */
  public IdempotencyGate(String storeName, String repliesName) {
    this.storeName = storeName;
    this.repliesName = repliesName;
  }

  @Override
  public void init(ProcessorContext<String, Step> context) {
    this.context = context;
    this.store = context.getStateStore(storeName);
    this.replies = context.getStateStore(repliesName);
    context.schedule(Idempotency.SWEEP_INTERVAL, PunctuationType.WALL_CLOCK_TIME, this::sweep);
  }

  @Override
  public void process(Record<String, Step> record) {
    Admitted admitted = (Admitted) record.value();
    VerifiedRequest request = admitted.request();
    String scope = Idempotency.scope(request);
    if (scope == null) {
      context.forward(record);
      return;
    }
    if (request.principal().subject() == null || request.principal().subject().isEmpty()) {
      // Without a subject every caller of the tenant would share one space of keys.
      refuse(
          record,
          admitted,
          ErrorCode.INVALID_REQUEST,
          "Idempotency-Key needs a token with a subject (sub), which scopes the key",
          "Idempotency-Key");
      return;
    }
    long nowMs = context.currentSystemTimeMs();
    String hash = Idempotency.bodySha256(request);
    IdempotencyEntry entry = store.get(scope);
    if (entry == null) {
      runFirst(record, scope, hash, request, nowMs, List.of());
      return;
    }
    if (!entry.bodySha256().equals(hash)) {
      refuse(
          record,
          admitted,
          ErrorCode.IDEMPOTENCY_KEY_REUSED,
          "this Idempotency-Key was used with another request body; use a new key for a new"
              + " request",
          null);
      return;
    }
    if (entry.settled()) {
      byte[] kept =
          ReplyStore.first(replies, request.principal().tenant(), entry.firstRequestId(), nowMs);
      if (kept == null && entry.legacyReply() != null) {
        answer(record, request, entry.legacyReply().forRequest(request.requestId()));
        return;
      }
      if (kept == null) {
        // The first reply was too large to keep: this call runs in its place.
        runFirst(record, scope, hash, request, nowMs, List.of());
        return;
      }
      // A repeat, or the first call's own record read again after a crash: answered as it was.
      answer(record, request, ReplyStore.reply(kept).forRequest(request.requestId()));
      return;
    }
    if (entry.firstRequestId().equals(request.requestId())) {
      // The first call read again before it settled: it runs again, as any record would.
      context.forward(record);
      return;
    }
    if (nowMs - entry.firstAtMs() > Idempotency.PENDING_MAX.toMillis()) {
      // The first call is taken for lost: this repeat runs in its place, and its waiters with it.
      runFirst(record, scope, hash, request, nowMs, entry.waiters());
      return;
    }
    if (entry.waiters().stream().anyMatch(w -> w.requestId().equals(request.requestId()))) {
      return; // a waiter's record read again: it waits once
    }
    if (entry.waiters().size() >= Idempotency.MAX_WAITERS) {
      refuse(
          record,
          admitted,
          ErrorCode.DUPLICATE_REQUEST,
          "too many repeats of this Idempotency-Key are waiting for its first call",
          null);
      return;
    }
    store.put(
        scope,
        entry.withWaiter(
            new IdempotencyEntry.Waiter(
                request.requestId(), request.replyTo(), request.source(), request.principal())));
  }

  /** Lets {@code request} through as the key's first call, with {@code waiters} waiting for it. */
  private void runFirst(
      Record<String, Step> record,
      String scope,
      String hash,
      VerifiedRequest request,
      long nowMs,
      List<IdempotencyEntry.Waiter> waiters) {
    store.put(scope, new IdempotencyEntry(hash, request.requestId(), nowMs, false, waiters));
    context.forward(record);
  }

  private void refuse(
      Record<String, Step> record,
      Admitted admitted,
      ErrorCode code,
      String message,
      String param) {
    VerifiedRequest request = admitted.request();
    Refusal refusal = Refusal.of(StageName.IDEMPOTENCY, code, message, param, List.of());
    answer(
        record,
        request,
        Replies.refused(
            request.requestId(), request.principal().tenant(), refusal, admitted.timings()));
  }

  private void answer(Record<String, Step> record, VerifiedRequest request, ReplyEnvelope reply) {
    context.forward(record.withValue(Settled.of(request, StageName.IDEMPOTENCY, reply)));
  }

  /** Deletes the keys kept past {@link Idempotency#KEEP}. */
  private void sweep(long nowMs) {
    List<String> expired = new ArrayList<>();
    try (KeyValueIterator<String, IdempotencyEntry> all = store.all()) {
      while (all.hasNext()) {
        KeyValue<String, IdempotencyEntry> next = all.next();
        if (nowMs - next.value.firstAtMs() > Idempotency.KEEP.toMillis()) {
          expired.add(next.key);
        }
      }
    }
    expired.forEach(store::delete);
  }
}

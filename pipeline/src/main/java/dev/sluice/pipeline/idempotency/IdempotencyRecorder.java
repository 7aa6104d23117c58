package dev.sluice.pipeline.idempotency;

import dev.sluice.pipeline.flow.Settled;
import dev.sluice.pipeline.flow.Step;
import dev.sluice.schemas.StageName;
import dev.sluice.schemas.envelope.VerifiedRequest;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * After the stages, before the reply is shaped: when a key's first call settles, marks the key
 * settled so repeats are answered from the reply store (or forgets the key when the reply is not
 * worth repeating) and answers the repeats that waited, each under its own request id and reply
 * address.
 */
public final class IdempotencyRecorder implements Processor<String, Step, String, Step> {
  private final String storeName;
  private ProcessorContext<String, Step> context;
  private KeyValueStore<String, IdempotencyEntry> store;

  public IdempotencyRecorder(String storeName) {
    this.storeName = storeName;
  }

  @Override
  public void init(ProcessorContext<String, Step> context) {
    this.context = context;
    this.store = context.getStateStore(storeName);
  }

  @Override
  public void process(Record<String, Step> record) {
    context.forward(record);
    Settled settled = (Settled) record.value();
    VerifiedRequest request = settled.request();
    if (request == null || settled.stage() == StageName.IDEMPOTENCY) {
      return;
    }
    String scope = Idempotency.scope(request);
    if (scope == null) {
      return;
    }
    IdempotencyEntry entry = store.get(scope);
    if (entry == null || entry.settled() || !entry.firstRequestId().equals(request.requestId())) {
      // Not this key's first call, or one already settled: a call the in-flight store resumed
      // after a rebalance settles again, and must not replace the answer repeats were given.
      return;
    }
    if (Idempotency.worthRepeating(settled.reply())) {
      // The reply itself is kept by the reply store, a step later, under the first call's id.
      store.put(scope, entry.asSettled());
    } else {
      store.delete(scope);
    }
    for (IdempotencyEntry.Waiter waiter : entry.waiters()) {
      Settled answer =
          new Settled(
              waiter.replyTo(),
              waiter.source(),
              waiter.principal(),
              null,
              StageName.IDEMPOTENCY,
              settled.reply().forRequest(waiter.requestId()));
      context.forward(new Record<>(waiter.requestId(), answer, record.timestamp()));
    }
  }
}

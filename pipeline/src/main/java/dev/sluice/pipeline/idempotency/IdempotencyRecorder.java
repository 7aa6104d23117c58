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
 * After the stages, before the reply is shaped: when a key's first call settles, keeps its reply
 * for the repeats to come (or forgets the key when the reply is not worth repeating) and answers
 * the repeats that waited, each under its own request id and reply address.
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
    if (entry == null
        || entry.reply() != null
        || !entry.firstRequestId().equals(request.requestId())) {
      // Not this key's first call, or one already settled: a call the in-flight store resumed
      // after a rebalance settles again, and must not replace the answer repeats were given.
      return;
    }
    if (Idempotency.worthKeeping(settled.reply())) {
      store.put(scope, entry.settled(settled.reply()));
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

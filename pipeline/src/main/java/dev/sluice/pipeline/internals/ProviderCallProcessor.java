package dev.sluice.pipeline.internals;

import dev.sluice.egress.ProviderAnswer;
import dev.sluice.egress.ProviderRouter;
import dev.sluice.pipeline.stage.Refusal;
import dev.sluice.schemas.envelope.VerifiedRequest;
import dev.sluice.schemas.reply.ChatCompletion;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The provider stage. It starts each call through {@code egress} without waiting for it; the answer
 * comes back on the provider's thread, which only queues it, and the stream thread drains the queue
 * (on every record and from a short wall-clock punctuator) to settle the request.
 *
 * <p>Crash safety: a call that is not answered at once is written to the changelogged {@code
 * pending-calls} store before the input offset can be committed, and deleted when its answer is
 * forwarded. After a crash or rebalance the task's new owner restores the store and issues every
 * call in it again; a reply produced twice carries the same request id and readers drop the second.
 * An answer that is ready at once (a cache, the stub without delay) is forwarded in the same {@code
 * process} call, which is already covered by the uncommitted input offset.
 */
public final class ProviderCallProcessor implements Processor<String, Admitted, String, Step> {
  /** Suffix of each request topic's in-flight store: {@code http-pending-calls}. */
  public static final String STORE_SUFFIX = "-pending-calls";

  static final String STAGE = "provider";
  private static final Logger LOGGER = LoggerFactory.getLogger(ProviderCallProcessor.class);

  private final String storeName;
  private final ProviderRouter providers;
  private final CallBudget budget;
  private final Duration drainInterval;
  private final LinkedBlockingQueue<Completion> completions = new LinkedBlockingQueue<>();
  private final Map<String, CompletableFuture<ProviderAnswer>> calls = new HashMap<>();
  private ProcessorContext<String, Step> context;
  private KeyValueStore<String, PendingCall> pending;

  /** An answer or failure, handed from the provider's thread to the stream thread. */
  private record Completion(
      String requestId,
      CompletableFuture<ProviderAnswer> call,
      ProviderAnswer answer,
      Throwable failure) {}

  public ProviderCallProcessor(
      String storeName, ProviderRouter providers, CallBudget budget, Duration drainInterval) {
    this.storeName = storeName;
    this.providers = providers;
    this.budget = budget;
    this.drainInterval = drainInterval;
  }

  @Override
  public void init(ProcessorContext<String, Step> context) {
    this.context = context;
    this.pending = context.getStateStore(storeName);
    context.schedule(drainInterval, PunctuationType.WALL_CLOCK_TIME, now -> drain());
    reissuePending();
  }

  @Override
  public void process(Record<String, Admitted> record) {
    drain();
    VerifiedRequest request = record.value().request();
    String requestId = request.requestId();
    if (calls.containsKey(requestId) || pending.get(requestId) != null) {
      // A redelivered record whose call is already open: its answer is on the way.
      return;
    }
    // Wait for a free slot before starting the call: at most maxInFlight calls are ever open.
    awaitCapacity();
    long nowMs = context.currentSystemTimeMs();
    PendingCall call = new PendingCall(request, record.value().timings(), nowMs);
    CompletableFuture<ProviderAnswer> future = start(call, nowMs);
    if (future.isDone()) {
      settleNow(call, future);
      return;
    }
    pending.put(requestId, call);
    track(requestId, future);
  }

  @Override
  public void close() {
    // The task is moving or stopping: its new owner re-issues what is still in the store.
    for (CompletableFuture<ProviderAnswer> call : calls.values()) {
      call.cancel(false);
    }
    calls.clear();
    completions.clear();
  }

  /** Calls open in this task; for metrics and tests. */
  int inFlight() {
    return calls.size();
  }

  private void reissuePending() {
    List<KeyValue<String, PendingCall>> open = new ArrayList<>();
    try (KeyValueIterator<String, PendingCall> all = pending.all()) {
      all.forEachRemaining(open::add);
    }
    if (open.isEmpty()) {
      return;
    }
    LOGGER
        .atInfo()
        .addKeyValue("task", context.taskId())
        .addKeyValue("calls", open.size())
        .log("re-issuing provider calls left open by an earlier owner of this task");
    long nowMs = context.currentSystemTimeMs();
    for (KeyValue<String, PendingCall> entry : open) {
      track(entry.key, start(entry.value, nowMs));
    }
  }

  private CompletableFuture<ProviderAnswer> start(PendingCall call, long nowMs) {
    VerifiedRequest request = call.request();
    long deadlineMs = request.acceptedAtMs() + budget.deadlineMs();
    long remainingMs = deadlineMs - nowMs;
    if (remainingMs <= 0) {
      return CompletableFuture.failedFuture(new java.util.concurrent.TimeoutException());
    }
    CompletableFuture<ProviderAnswer> future =
        providers
            .complete(request.requestId(), request.request().model(), request.request(), deadlineMs)
            .toCompletableFuture();
    // The provider owns retries and timeouts; this bound only guarantees no entry stays forever.
    return future.isDone() ? future : future.orTimeout(remainingMs, TimeUnit.MILLISECONDS);
  }

  private void track(String requestId, CompletableFuture<ProviderAnswer> future) {
    calls.put(requestId, future);
    future.whenComplete(
        (answer, failure) -> completions.add(new Completion(requestId, future, answer, failure)));
  }

  private void awaitCapacity() {
    if (calls.size() < budget.maxInFlight()) {
      return;
    }
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(budget.maxWaitMs());
    while (calls.size() >= budget.maxInFlight()) {
      long remaining = deadline - System.nanoTime();
      if (remaining <= 0) {
        LOGGER
            .atWarn()
            .addKeyValue("inFlight", calls.size())
            .log("no provider call finished in time; taking the next request over budget");
        return;
      }
      try {
        Completion completion = completions.poll(remaining, TimeUnit.NANOSECONDS);
        if (completion != null) {
          settle(completion);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private void drain() {
    Completion completion;
    while ((completion = completions.poll()) != null) {
      settle(completion);
    }
  }

  private void settle(Completion completion) {
    if (calls.get(completion.requestId()) != completion.call()) {
      return; // a call this task no longer owns
    }
    calls.remove(completion.requestId());
    PendingCall call = pending.get(completion.requestId());
    if (call == null) {
      return;
    }
    forward(call, completion.answer(), completion.failure());
    pending.delete(completion.requestId());
  }

  private void settleNow(PendingCall call, CompletableFuture<ProviderAnswer> future) {
    ProviderAnswer answer = null;
    Throwable failure = null;
    try {
      answer = future.join();
    } catch (RuntimeException e) {
      failure = e;
    }
    forward(call, answer, failure);
  }

  private void forward(PendingCall call, ProviderAnswer answer, Throwable failure) {
    long nowMs = context.currentSystemTimeMs();
    VerifiedRequest request = call.request();
    Map<String, Double> timings = new HashMap<>(call.timings());
    timings.put(STAGE, (double) Math.max(0, nowMs - call.startedAtMs()));
    Settled settled;
    if (failure == null) {
      ChatCompletion completion = Replies.completion(request, answer, nowMs);
      settled =
          new Settled(
              request.replyTo(), request, STAGE, Replies.completed(request, completion, timings));
    } else {
      Refusal refusal = Replies.providerFailure(failure);
      settled =
          new Settled(
              request.replyTo(),
              request,
              STAGE,
              Replies.refused(request.requestId(), request.principal().tenant(), refusal, timings));
    }
    context.forward(new Record<>(request.requestId(), settled, nowMs));
  }
}

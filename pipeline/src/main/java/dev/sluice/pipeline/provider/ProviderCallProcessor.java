package dev.sluice.pipeline.provider;

import dev.sluice.egress.ProviderAnswer;
import dev.sluice.egress.ProviderRouter;
import dev.sluice.pipeline.flow.Admitted;
import dev.sluice.pipeline.flow.Settled;
import dev.sluice.pipeline.flow.Step;
import dev.sluice.pipeline.reply.Replies;
import dev.sluice.pipeline.stage.AsyncRequestCheck;
import dev.sluice.pipeline.stage.Refusal;
import dev.sluice.pipeline.stage.StageRefusedException;
import dev.sluice.schemas.envelope.VerifiedRequest;
import dev.sluice.schemas.reply.ChatCompletion;
import dev.sluice.schemas.reply.ErrorCode;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
 * <p>Crash safety: a call that is not answered at once is written to the changelogged in-flight
 * store before the input offset can be committed. After a crash or rebalance the task's new owner
 * restores the store and issues every call in it again. An answered call leaves the store only
 * after {@link CallBudget#keepAnsweredMs()}, by which time a commit has flushed its reply: deleting
 * it at once could let the tombstone outlive a reply lost in a crash. A reply produced twice
 * carries the same request id and readers drop the second. An answer ready at once (a cache, the
 * stub without delay) is forwarded in the same {@code process} call, which the uncommitted input
 * offset already covers.
 *
 * <p>The store is written, never read, on the hot path: open calls and recently answered ids are
 * also kept in memory, and the store is read only to restore.
 */
public final class ProviderCallProcessor implements Processor<String, Admitted, String, Step> {
  /** Suffix of each request topic's in-flight store: {@code http-pending-calls}. */
  public static final String STORE_SUFFIX = "-pending-calls";

  static final String STAGE = "provider";
  private static final Logger LOGGER = LoggerFactory.getLogger(ProviderCallProcessor.class);

  private final String storeName;
  private final ProviderRouter providers;
  private final ModelChains modelChains;
  private final AsyncRequestCheck beforeCall;
  private final CallBudget budget;
  private final Duration drainInterval;
  private final LinkedBlockingQueue<Completion> completions = new LinkedBlockingQueue<>();
  private final Map<String, Open> calls = new HashMap<>();
  private final ArrayDeque<Answered> answered = new ArrayDeque<>();
  private final Set<String> answeredIds = new HashSet<>();
  private ProcessorContext<String, Step> context;
  private KeyValueStore<String, PendingCall> pending;

  /** A call in flight and the entry it has in the store. */
  private record Open(PendingCall call, CompletableFuture<ProviderAnswer> future) {}

  /** An answer or failure, handed from the provider's thread to the stream thread. */
  private record Completion(
      String requestId,
      CompletableFuture<ProviderAnswer> future,
      ProviderAnswer answer,
      Throwable failure) {}

  /** A settled call whose store entry is deleted once its reply is surely durable. */
  private record Answered(String requestId, long atMs) {}

  public ProviderCallProcessor(
      String storeName, ProviderRouter providers, CallBudget budget, Duration drainInterval) {
    this(storeName, providers, ModelChains.none(), null, budget, drainInterval);
  }

  /**
   * @param modelChains the models to try for each request, in order
   * @param beforeCall a network check (OPA) run before each provider call, or null
   */
  public ProviderCallProcessor(
      String storeName,
      ProviderRouter providers,
      ModelChains modelChains,
      AsyncRequestCheck beforeCall,
      CallBudget budget,
      Duration drainInterval) {
    this.beforeCall = beforeCall;
    this.storeName = storeName;
    this.providers = providers;
    this.modelChains = modelChains;
    this.budget = budget;
    this.drainInterval = drainInterval;
  }

  @Override
  public void init(ProcessorContext<String, Step> context) {
    this.context = context;
    this.pending = context.getStateStore(storeName);
    context.schedule(drainInterval, PunctuationType.WALL_CLOCK_TIME, this::drain);
    reissuePending();
  }

  @Override
  public void process(Record<String, Admitted> record) {
    VerifiedRequest request = record.value().request();
    String requestId = request.requestId();
    // Checked before draining: a redelivered record must not start a call that just settled.
    boolean known = calls.containsKey(requestId) || answeredIds.contains(requestId);
    drain(context.currentSystemTimeMs());
    if (known) {
      return; // a redelivered record whose call is open or answered
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
    track(requestId, call, future);
  }

  @Override
  public void close() {
    // The task is moving or stopping: its new owner re-issues what is still in the store.
    for (Open open : calls.values()) {
      open.future().cancel(false);
    }
    calls.clear();
    completions.clear();
    answered.clear();
    answeredIds.clear();
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
      track(entry.key, entry.value, start(entry.value, nowMs));
    }
  }

  private CompletableFuture<ProviderAnswer> start(PendingCall call, long nowMs) {
    VerifiedRequest request = call.request();
    long deadlineMs = request.acceptedAtMs() + budget.deadlineMs();
    long remainingMs = deadlineMs - nowMs;
    if (remainingMs <= 0) {
      return CompletableFuture.failedFuture(new TimeoutException());
    }
    CompletableFuture<ProviderAnswer> future;
    try {
      future =
          beforeCall == null
              ? callProvider(request, deadlineMs)
              : beforeCall
                  .decide(request)
                  .thenCompose(
                      refusal ->
                          refusal.isPresent()
                              ? CompletableFuture.failedFuture(
                                  new StageRefusedException(refusal.get()))
                              : callProvider(request, deadlineMs));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    // The provider owns retries and timeouts; this bound only guarantees no entry stays forever.
    // The stage is the call's own (see Provider), so timing it out abandons only this call.
    return future.isDone() ? future : future.orTimeout(remainingMs, TimeUnit.MILLISECONDS);
  }

  private CompletableFuture<ProviderAnswer> callProvider(VerifiedRequest request, long deadlineMs) {
    List<String> chain = modelChains.chain(request.principal().tenant(), request.request().model());
    return providers
        .complete(request.requestId(), chain, request.request(), deadlineMs)
        .toCompletableFuture();
  }

  private void track(String requestId, PendingCall call, CompletableFuture<ProviderAnswer> future) {
    calls.put(requestId, new Open(call, future));
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
          settle(completion, context.currentSystemTimeMs());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private void drain(long nowMs) {
    Completion completion;
    while ((completion = completions.poll()) != null) {
      settle(completion, nowMs);
    }
    while (!answered.isEmpty() && nowMs - answered.peekFirst().atMs() >= budget.keepAnsweredMs()) {
      String requestId = answered.pollFirst().requestId();
      answeredIds.remove(requestId);
      pending.delete(requestId);
    }
  }

  private void settle(Completion completion, long nowMs) {
    Open open = calls.get(completion.requestId());
    if (open == null || open.future() != completion.future()) {
      return; // a call this task no longer owns
    }
    calls.remove(completion.requestId());
    answered.addLast(new Answered(completion.requestId(), nowMs));
    answeredIds.add(completion.requestId());
    forward(open.call(), completion.answer(), completion.failure());
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

  /**
   * Forwards the reply. A failure downstream (a stage's bug) must not take the record being
   * processed with it, nor leave the caller without an answer: it becomes a 500 reply.
   */
  private void forward(PendingCall call, ProviderAnswer answer, Throwable failure) {
    try {
      context.forward(settled(call, answer, failure));
    } catch (RuntimeException e) {
      LOGGER
          .atError()
          .addKeyValue("requestId", call.request().requestId())
          .addKeyValue("error", e.getClass().getName())
          .log("could not settle a provider answer; answering 500");
      Refusal internal = Refusal.of(STAGE, ErrorCode.INTERNAL_ERROR, "internal error");
      context.forward(refusedRecord(call, internal));
    }
  }

  private Record<String, Step> settled(PendingCall call, ProviderAnswer answer, Throwable failure) {
    if (failure != null) {
      return refusedRecord(call, Replies.providerFailure(failure));
    }
    long nowMs = context.currentSystemTimeMs();
    VerifiedRequest request = call.request();
    ChatCompletion completion = Replies.completion(request, answer, nowMs);
    return new Record<>(
        request.requestId(),
        new Settled(
            request.replyTo(),
            request.source(),
            request,
            STAGE,
            Replies.completed(request, completion, timings(call, nowMs))),
        nowMs);
  }

  private Record<String, Step> refusedRecord(PendingCall call, Refusal refusal) {
    long nowMs = context.currentSystemTimeMs();
    VerifiedRequest request = call.request();
    return new Record<>(
        request.requestId(),
        new Settled(
            request.replyTo(),
            request.source(),
            request,
            refusal.stage(),
            Replies.refused(
                request.requestId(), request.principal().tenant(), refusal, timings(call, nowMs))),
        nowMs);
  }

  private static Map<String, Double> timings(PendingCall call, long nowMs) {
    Map<String, Double> timings = new HashMap<>(call.timings());
    timings.put(STAGE, (double) Math.max(0, nowMs - call.startedAtMs()));
    return timings;
  }
}

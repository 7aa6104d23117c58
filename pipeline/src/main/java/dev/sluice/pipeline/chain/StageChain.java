package dev.sluice.pipeline.chain;

import dev.sluice.pipeline.flow.Admitted;
import dev.sluice.pipeline.flow.Settled;
import dev.sluice.pipeline.flow.Step;
import dev.sluice.pipeline.flow.Timings;
import dev.sluice.pipeline.ratelimit.LimitTicket;
import dev.sluice.pipeline.reply.Replies;
import dev.sluice.pipeline.stage.Refusal;
import dev.sluice.schemas.StageName;
import dev.sluice.schemas.envelope.VerifiedRequest;
import dev.sluice.schemas.reply.ErrorCode;
import dev.sluice.schemas.reply.ReplyEnvelope;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
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
 * Runs the stage chain over each admitted request, in order, on the stream thread. A synchronous
 * stage runs in place. An asynchronous stage is started and, unless it answered at once, the
 * request is kept as open and the stream thread moves on; the answer comes back on the stage's
 * thread, which only queues it, and the stream thread drains the queue (on every record and from a
 * short wall-clock punctuator) and resumes the chain with the next stage.
 *
 * <p>Crash safety: a request waiting on a stage is in the changelogged in-flight store before the
 * input offset can be committed. It is written there at the start of the task's next commit ({@link
 * CommitHook}), not when it starts waiting: a wait that ends first (a Redis reservation takes a
 * millisecond, a commit comes once a second) never touches the store, and its record, not yet
 * committed, is read again after a crash. After a crash or rebalance the task's new owner restores
 * the store and starts each waiting stage again; the stages before it are not run twice. A settled
 * request that was written leaves the store only after {@link CallBudget#keepAnsweredMs()}, by
 * which time a commit has flushed its reply: deleting it at once could let the tombstone outlive a
 * reply lost in a crash. A reply produced twice carries the same request id and readers drop the
 * second. A request whose stages all answer at once (the stub without delay, a local policy) never
 * touches the store: the uncommitted input offset already covers it.
 *
 * <p>Deadlines are judged by the stream's clock ({@link ProcessorContext#currentSystemTimeMs()}),
 * which the topology test driver can move: a stage still open at its request's deadline is
 * cancelled and answered through {@link AsyncStage#failed} with a {@link TimeoutException}.
 *
 * <p>The store is written, never read, on the hot path: open requests and recently settled ids are
 * also kept in memory, and the store is read only to restore.
 */
public final class StageChain implements Processor<String, Admitted, String, Step> {
  /** Suffix of each request topic's in-flight store: {@code http-pending-calls}. */
  public static final String STORE_SUFFIX = "-pending-calls";

  private static final Logger LOGGER = LoggerFactory.getLogger(StageChain.class);

  /** The index of an open request restored from a stage this chain no longer has. */
  private static final int RESTART = -1;

  private final String storeName;
  private final String prefix;
  private List<Stage> stages;
  private List<Settling> settling = List.of();
  private List<Flushing> flushing = List.of();
  private final CallBudget budget;
  private final Duration drainInterval;
  private final LinkedBlockingQueue<Completion> completions = new LinkedBlockingQueue<>();
  private final Map<String, Open> open = new HashMap<>();
  // Open requests not yet in the store: written at the start of the next commit.
  private final Map<String, PendingCall> unstored = new LinkedHashMap<>();
  private final PriorityQueue<Deadline> deadlines =
      new PriorityQueue<>(Comparator.comparingLong(Deadline::atMs));
  private final ArrayDeque<Answered> answered = new ArrayDeque<>();
  private final Set<String> answeredIds = new HashSet<>();
  private final Map<String, Held> held = new HashMap<>();
  private final PriorityQueue<Held> heldQueue =
      new PriorityQueue<>(Comparator.comparingLong(Held::untilMs));
  private ProcessorContext<String, Step> context;
  private KeyValueStore<String, PendingCall> pending;
  private boolean deferWrites;

  /**
   * A request waiting on the stage at {@code index}, and the entry it has (or will have) in the
   * store.
   *
   * @param stored whether the store held an entry for it when it started waiting
   */
  private record Open(PendingCall call, int index, CompletableFuture<?> future, boolean stored) {}

  /** A stage's answer or failure, handed from its thread to the stream thread. */
  private record Completion(
      String requestId, CompletableFuture<?> future, Object result, Throwable failure) {}

  /** When an open stage's answer stops being wanted. */
  private record Deadline(String requestId, CompletableFuture<?> future, long atMs) {}

  /** A settled request whose store entry is deleted once its reply is surely durable. */
  private record Answered(String requestId, long atMs) {}

  /** A request a stage held, to run that stage (at {@code index}) again at {@code untilMs}. */
  private record Held(PendingCall call, int index, long untilMs) {}

  /**
   * @param stages the chain, in order; see {@link Stage}
   */
  public StageChain(
      String storeName, List<Stage> stages, CallBudget budget, Duration drainInterval) {
    this.storeName = storeName;
    this.prefix =
        storeName.endsWith(STORE_SUFFIX)
            ? storeName.substring(0, storeName.length() - STORE_SUFFIX.length())
            : storeName;
    this.stages = List.copyOf(stages);
    this.budget = budget;
    this.drainInterval = drainInterval;
  }

  @Override
  public void init(ProcessorContext<String, Step> context) {
    this.context = context;
    this.pending = context.getStateStore(storeName);
    // A stage with per-task state (the rate limiter's ledgers) works on this task's stores.
    List<Stage> bound = new ArrayList<>(stages.size());
    List<Settling> listeners = new ArrayList<>();
    List<Flushing> flushers = new ArrayList<>();
    for (Stage stage : stages) {
      Stage forTask = stage instanceof TaskScoped scoped ? scoped.forTask(prefix, context) : stage;
      bound.add(forTask);
      if (forTask instanceof Settling listener) {
        listeners.add(listener);
      }
      if (forTask instanceof Flushing flusher) {
        flushers.add(flusher);
      }
    }
    this.stages = List.copyOf(bound);
    this.settling = List.copyOf(listeners);
    this.flushing = List.copyOf(flushers);
    CommitHook hook = context.getStateStore(prefix + CommitHook.SUFFIX);
    // A chain wired without its hook (a test's processor context) writes each open request at once.
    deferWrites = hook != null;
    if (hook != null) {
      hook.beforeCommit(this::beforeCommit);
    }
    context.schedule(
        drainInterval,
        PunctuationType.WALL_CLOCK_TIME,
        nowMs -> {
          drain(nowMs);
          flush();
        });
    resumePending();
  }

  @Override
  public void process(Record<String, Admitted> record) {
    VerifiedRequest request = record.value().request();
    String requestId = request.requestId();
    // Checked before draining: a redelivered record must not restart a request that just settled.
    boolean known =
        open.containsKey(requestId)
            || answeredIds.contains(requestId)
            || held.containsKey(requestId);
    drain(context.currentSystemTimeMs());
    if (known) {
      flush();
      return; // a redelivered record whose request is open or answered
    }
    // Wait for a free slot first: at most maxInFlight requests ever wait on a stage.
    awaitCapacity();
    long nowMs = context.currentSystemTimeMs();
    advance(PendingCall.of(Exchange.of(request), null, record.value().timings(), nowMs), 0, false);
    flush();
  }

  /**
   * After a record or a punctuation: a chain wired without its commit hook writes what its stages
   * changed at once; with the hook, at the start of the next commit ({@link #beforeCommit}).
   */
  private void flush() {
    if (!deferWrites) {
      flushStages();
    }
  }

  private void flushStages() {
    for (Flushing flusher : flushing) {
      flusher.flush();
    }
  }

  @Override
  public void close() {
    // The task is moving or stopping: its new owner restarts what is still in the store.
    for (Open waiting : open.values()) {
      waiting.future().cancel(false);
    }
    open.clear();
    // Never committed (the hook writes them before any commit), so their records are read again.
    unstored.clear();
    held.clear();
    heldQueue.clear();
    deadlines.clear();
    completions.clear();
    answered.clear();
    answeredIds.clear();
  }

  /**
   * Writes the open requests not yet in the store: the task is about to commit, and the offsets it
   * commits may cover their records.
   */
  private void beforeCommit() {
    for (Map.Entry<String, PendingCall> waiting : unstored.entrySet()) {
      pending.put(waiting.getKey(), waiting.getValue());
    }
    unstored.clear();
    flushStages();
  }

  /** Requests waiting on a stage in this task; for metrics and tests. */
  int inFlight() {
    return open.size();
  }

  /** Requests a stage holds in this task (batch traffic over its rate limit); for tests. */
  int heldCount() {
    return held.size();
  }

  private void resumePending() {
    List<KeyValue<String, PendingCall>> waiting = new ArrayList<>();
    try (KeyValueIterator<String, PendingCall> all = pending.all()) {
      all.forEachRemaining(waiting::add);
    }
    if (waiting.isEmpty()) {
      return;
    }
    LOGGER
        .atInfo()
        .addKeyValue("task", context.taskId())
        .addKeyValue("calls", waiting.size())
        .log("restarting the stages an earlier owner of this task left open");
    long nowMs = context.currentSystemTimeMs();
    for (KeyValue<String, PendingCall> entry : waiting) {
      PendingCall call = entry.value;
      int index = indexOf(call.stage());
      if (call.heldUntilMs() != null && index >= 0) {
        // Held, not calling: it waits for its time again, whatever the time is now.
        hold(call, index, call.heldUntilMs());
        continue;
      }
      long deadlineMs = deadlineOf(call.exchange());
      if (index < 0) {
        // The chain changed since (OPA switched off, say). Jumping to the provider would skip the
        // stages after the missing one (prompt redaction, spotlighting): run the whole chain again
        // instead; the synchronous stages are pure and give the same answer twice.
        LOGGER
            .atWarn()
            .addKeyValue("stage", call.stage())
            .log(
                "a pending request waits on a stage this pipeline does not run; running its chain again");
        track(call, RESTART, CompletableFuture.completedFuture(null), deadlineMs, true);
        continue;
      }
      // Even an answer ready at once goes through the queue: init may not forward.
      AsyncStage<?> stage = (AsyncStage<?>) stages.get(index);
      track(call, index, start(stage, call.exchange(), deadlineMs, nowMs), deadlineMs, true);
    }
  }

  private int indexOf(StageName name) {
    for (int i = 0; i < stages.size(); i++) {
      if (stages.get(i) instanceof AsyncStage && stages.get(i).name() == name) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Runs the chain from stage {@code from} until the request settles or waits on a stage.
   *
   * @param stored whether the request already has an entry in the store
   */
  private void advance(PendingCall call, int from, boolean stored) {
    long nowMs = context.currentSystemTimeMs();
    Exchange exchange = call.exchange();
    Map<String, Double> timings = new HashMap<>(call.timings());
    for (int i = from; i < stages.size(); i++) {
      Stage stage = stages.get(i);
      long startedNs = System.nanoTime();
      Verdict verdict;
      if (stage instanceof SyncStage sync) {
        try {
          verdict = sync.run(exchange, nowMs);
        } catch (RuntimeException e) {
          verdict = internalError(stage, exchange, e);
        }
      } else {
        AsyncStage<?> async = (AsyncStage<?>) stage;
        long deadlineMs = deadlineOf(exchange);
        CompletableFuture<?> future = start(async, exchange, deadlineMs, nowMs);
        if (!future.isDone()) {
          PendingCall waiting = PendingCall.of(exchange, stage.name(), timings, nowMs);
          if (deferWrites) {
            unstored.put(exchange.requestId(), waiting);
          } else {
            pending.put(exchange.requestId(), waiting);
          }
          track(waiting, i, future, deadlineMs, stored);
          return;
        }
        verdict = resumeNow(async, exchange, future, nowMs);
      }
      timings.merge(stage.name().wireName(), Timings.elapsedMs(startedNs), Double::sum);
      if (verdict instanceof Verdict.Stop stop) {
        settle(stopped(stop, exchange), stage.name(), stop.refusal(), timings, stored);
        return;
      }
      if (verdict instanceof Verdict.Hold hold) {
        PendingCall waiting =
            PendingCall.held(exchange, stage.name(), timings, nowMs, hold.untilMs());
        pending.put(exchange.requestId(), waiting);
        hold(waiting, i, hold.untilMs());
        return;
      }
      exchange = ((Verdict.Next) verdict).exchange();
    }
    if (!exchange.answered()) {
      LOGGER.atError().log("the stage chain ended without an answer; answering 500");
      settle(exchange, StageName.PIPELINE, internal(StageName.PIPELINE), timings, stored);
      return;
    }
    StageName last = stages.isEmpty() ? StageName.PIPELINE : stages.get(stages.size() - 1).name();
    settle(exchange, last, null, timings, stored);
  }

  private static CompletableFuture<?> start(
      AsyncStage<?> stage, Exchange exchange, long deadlineMs, long nowMs) {
    if (deadlineMs <= nowMs) {
      return CompletableFuture.failedFuture(new TimeoutException());
    }
    try {
      CompletableFuture<?> future = stage.start(exchange, deadlineMs);
      return future == null ? CompletableFuture.failedFuture(new IllegalStateException()) : future;
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private Verdict resumeNow(
      AsyncStage<?> stage, Exchange exchange, CompletableFuture<?> future, long nowMs) {
    Object result;
    try {
      result = future.join();
    } catch (RuntimeException e) {
      return failed(stage, exchange, cause(e));
    }
    return resume(stage, exchange, result, nowMs);
  }

  @SuppressWarnings("unchecked")
  private static <T> Verdict resumeTyped(
      AsyncStage<T> stage, Exchange exchange, Object result, long nowMs) {
    return stage.resume(exchange, (T) result, nowMs);
  }

  private Verdict resume(AsyncStage<?> stage, Exchange exchange, Object result, long nowMs) {
    try {
      return resumeTyped(stage, exchange, result, nowMs);
    } catch (RuntimeException e) {
      return internalError(stage, exchange, e);
    }
  }

  private Verdict failed(AsyncStage<?> stage, Exchange exchange, Throwable failure) {
    try {
      return Verdict.stop(stage.failed(failure));
    } catch (RuntimeException e) {
      return internalError(stage, exchange, e);
    }
  }

  private void track(
      PendingCall call, int index, CompletableFuture<?> future, long deadlineMs, boolean stored) {
    String requestId = call.request().requestId();
    open.put(requestId, new Open(call, index, future, stored));
    deadlines.add(new Deadline(requestId, future, deadlineMs));
    future.whenComplete(
        (result, failure) -> completions.add(new Completion(requestId, future, result, failure)));
  }

  private void awaitCapacity() {
    if (open.size() < budget.maxInFlight()) {
      return;
    }
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(budget.maxWaitMs());
    while (open.size() >= budget.maxInFlight()) {
      long remaining = deadline - System.nanoTime();
      if (remaining <= 0) {
        LOGGER
            .atWarn()
            .addKeyValue("inFlight", open.size())
            .log("no open stage finished in time; taking the next request over budget");
        return;
      }
      try {
        Completion completion = completions.poll(remaining, TimeUnit.NANOSECONDS);
        if (completion != null) {
          complete(completion, context.currentSystemTimeMs());
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
      complete(completion, nowMs);
    }
    while (!heldQueue.isEmpty() && heldQueue.peek().untilMs() <= nowMs) {
      Held due = heldQueue.poll();
      PendingCall call = due.call();
      if (held.get(call.request().requestId()) != due) {
        continue; // held again since, under a later time
      }
      held.remove(call.request().requestId());
      Exchange exchange = call.exchange().heldFor(Math.max(0, nowMs - call.startedAtMs()));
      advance(PendingCall.of(exchange, null, call.timings(), nowMs), due.index(), true);
    }
    while (!deadlines.isEmpty() && deadlines.peek().atMs() <= nowMs) {
      Deadline deadline = deadlines.poll();
      Open waiting = open.get(deadline.requestId());
      if (waiting != null && waiting.future() == deadline.future()) {
        // Its completion, queued by the cancel, no longer matches an open request: it is dropped.
        waiting.future().cancel(false);
        finish(waiting, null, new TimeoutException(), nowMs);
      }
    }
    while (!answered.isEmpty() && nowMs - answered.peekFirst().atMs() >= budget.keepAnsweredMs()) {
      String requestId = answered.pollFirst().requestId();
      answeredIds.remove(requestId);
      pending.delete(requestId);
    }
  }

  private void complete(Completion completion, long nowMs) {
    Open waiting = open.get(completion.requestId());
    if (waiting == null || waiting.future() != completion.future()) {
      return; // a request this task no longer owns, or one already timed out
    }
    Throwable failure = completion.failure();
    finish(waiting, completion.result(), failure == null ? null : cause(failure), nowMs);
  }

  /**
   * When the answer to a request stops being wanted: its deadline counts from the broker, and time
   * the gateway held it on purpose (batch traffic waiting for its rate limit) does not count.
   */
  private long deadlineOf(Exchange exchange) {
    return exchange.request().acceptedAtMs() + exchange.heldMs() + budget.deadlineMs();
  }

  private void hold(PendingCall call, int index, long untilMs) {
    Held entry = new Held(call, index, untilMs);
    held.put(call.request().requestId(), entry);
    heldQueue.add(entry);
  }

  /** The exchange a stopping stage left, or the one it was given. */
  private static Exchange stopped(Verdict.Stop stop, Exchange given) {
    return stop.exchange() == null ? given : stop.exchange();
  }

  /** What a future failed with, without the wrapper a join or a dependent stage adds. */
  private static Throwable cause(Throwable failure) {
    return failure instanceof CompletionException && failure.getCause() != null
        ? failure.getCause()
        : failure;
  }

  /** Resumes the chain after the stage a request waited on answered, failed or ran out of time. */
  private void finish(Open waiting, Object result, Throwable failure, long nowMs) {
    PendingCall call = waiting.call();
    String requestId = call.request().requestId();
    open.remove(requestId);
    // In the store if a commit wrote it while it waited, or if it was there before.
    boolean stored = unstored.remove(requestId) == null || waiting.stored();
    if (waiting.index() == RESTART) {
      advance(
          new PendingCall(call.request(), null, null, null, null, call.timings(), nowMs),
          0,
          stored);
      return;
    }
    AsyncStage<?> stage = (AsyncStage<?>) stages.get(waiting.index());
    Exchange exchange = call.exchange();
    Verdict verdict =
        failure == null ? resume(stage, exchange, result, nowMs) : failed(stage, exchange, failure);
    Map<String, Double> timings = new HashMap<>(call.timings());
    timings.put(stage.name().wireName(), (double) Math.max(0, nowMs - call.startedAtMs()));
    if (verdict instanceof Verdict.Stop stop) {
      settle(stopped(stop, exchange), stage.name(), stop.refusal(), timings, stored);
      return;
    }
    if (verdict instanceof Verdict.Hold hold) {
      PendingCall again = PendingCall.held(exchange, stage.name(), timings, nowMs, hold.untilMs());
      pending.put(exchange.requestId(), again);
      hold(again, waiting.index(), hold.untilMs());
      return;
    }
    Exchange next = ((Verdict.Next) verdict).exchange();
    advance(PendingCall.of(next, null, timings, nowMs), waiting.index() + 1, stored);
  }

  /**
   * Forwards the request's reply: its answer, or the refusal that ended it. A failure downstream (a
   * bug) must not take the record being processed with it, nor leave the caller without an answer:
   * it becomes a 500 reply.
   *
   * @param refusal null when the request completed
   */
  private void settle(
      Exchange exchange,
      StageName stage,
      Refusal refusal,
      Map<String, Double> timings,
      boolean stored) {
    String requestId = exchange.requestId();
    long settledAtMs = context.currentSystemTimeMs();
    for (Settling listener : settling) {
      try {
        exchange = listener.settled(exchange, settledAtMs);
      } catch (RuntimeException e) {
        // The reply still goes out: a reservation not settled expires, its tokens still counted.
        LOGGER
            .atError()
            .addKeyValue("requestId", requestId)
            .addKeyValue("error", e.getClass().getName())
            .log("could not settle a request's rate limit");
      }
    }
    if (stored) {
      long nowMs = context.currentSystemTimeMs();
      answered.addLast(new Answered(requestId, nowMs));
      answeredIds.add(requestId);
    }
    try {
      context.forward(settled(exchange, stage, refusal, timings));
    } catch (RuntimeException e) {
      LOGGER
          .atError()
          .addKeyValue("requestId", requestId)
          .addKeyValue("error", e.getClass().getName())
          .log("could not settle a request; answering 500");
      context.forward(settled(exchange, stage, internal(stage), timings));
    }
  }

  private Record<String, Step> settled(
      Exchange exchange, StageName stage, Refusal refusal, Map<String, Double> timings) {
    VerifiedRequest request = exchange.request();
    ReplyEnvelope reply =
        refusal == null
            ? Replies.completed(request, exchange.completion(), timings)
            : Replies.refused(request.requestId(), request.principal().tenant(), refusal, timings);
    LimitTicket ticket = exchange.rateLimit();
    if (ticket != null) {
      reply = reply.withRateLimits(ticket.figures());
    }
    return new Record<>(
        request.requestId(),
        Settled.of(request, stage, reply, ticket == null ? null : ticket.record()),
        context.currentSystemTimeMs());
  }

  /**
   * A stage's bug: the request is answered 500 rather than left waiting, and the chain stops there,
   * so an answer that skipped a stage such as redaction never reaches a caller.
   */
  private static Verdict internalError(Stage stage, Exchange exchange, RuntimeException e) {
    LOGGER
        .atError()
        .addKeyValue("requestId", exchange.requestId())
        .addKeyValue("stage", stage.name())
        .addKeyValue("error", e.getClass().getName())
        .log("a stage failed; answering 500");
    return Verdict.stop(internal(stage.name()));
  }

  private static Refusal internal(StageName stage) {
    return Refusal.of(stage, ErrorCode.INTERNAL_ERROR, "internal error");
  }
}

package dev.sluice.pipeline.chain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.egress.ProviderRouter;
import dev.sluice.pipeline.ManualProvider;
import dev.sluice.pipeline.flow.Admitted;
import dev.sluice.pipeline.flow.Settled;
import dev.sluice.pipeline.flow.Step;
import dev.sluice.pipeline.provider.ModelChains;
import dev.sluice.pipeline.provider.ProviderStage;
import dev.sluice.pipeline.stage.Refusal;
import dev.sluice.schemas.Principal;
import dev.sluice.schemas.RequestIds;
import dev.sluice.schemas.StageName;
import dev.sluice.schemas.chat.ChatMessage;
import dev.sluice.schemas.chat.ChatRequest;
import dev.sluice.schemas.envelope.ReplyTo;
import dev.sluice.schemas.envelope.Source;
import dev.sluice.schemas.envelope.VerifiedRequest;
import dev.sluice.schemas.reply.ErrorCode;
import dev.sluice.schemas.reply.ReplyEnvelope;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The stage chain alone, on a mock processor context whose store outlives the processor: what a
 * task's new owner finds after a crash or rebalance once the changelog is restored. The stream's
 * clock is the context's, so deadlines are tested without waiting.
 */
class StageChainTest {
  private static final String STORE = "http" + StageChain.STORE_SUFFIX;
  private static final long NOW = 1_900_000_000_000L;

  private final ManualProvider manual = new ManualProvider();
  private MockProcessorContext<String, Step> context;
  private KeyValueStore<String, PendingCall> store;

  @BeforeEach
  void setUp() {
    context = new MockProcessorContext<>();
    context.setCurrentSystemTimeMs(NOW);
    store = PendingStores.inMemory(context, STORE);
  }

  @Test
  void reissuesEveryPendingCallOnInitAndForwardsTheirAnswers() {
    String first = RequestIds.next();
    String second = RequestIds.next();
    String expired = RequestIds.next();
    store.put(first, pending(first, NOW - 2_000));
    store.put(second, pending(second, NOW - 1_000));
    store.put(expired, pending(expired, NOW - 120_000));

    StageChain processor = processor(8);
    processor.init(context);

    assertThat(manual.calls())
        .extracting(started -> started.call().requestId())
        .containsExactlyInAnyOrder(first, second);
    assertThat(context.forwarded()).as("nothing forwarded from init itself").isEmpty();

    for (ManualProvider.Started started : manual.calls()) {
      started.answer("again: " + started.call().requestId());
    }
    punctuate();

    Map<String, ReplyEnvelope> replies = forwardedReplies();
    assertThat(replies).containsOnlyKeys(first, second, expired);
    assertThat(replies.get(first).status()).isEqualTo(200);
    assertThat(replies.get(first).completion().answer()).isEqualTo("again: " + first);
    assertThat(replies.get(second).completion().answer()).isEqualTo("again: " + second);
    assertThat(replies.get(expired).status()).isEqualTo(504);
    assertThat(replies.get(expired).error().code()).isEqualTo("provider_timeout");
    assertThat(store.get(first)).as("kept until a commit covers its reply").isNotNull();
    context.setCurrentSystemTimeMs(
        context.currentSystemTimeMs() + CallBudget.DEFAULT_KEEP_ANSWERED_MS);
    punctuate();
    assertThat(store.get(first)).isNull();
    assertThat(store.get(second)).isNull();
    assertThat(store.get(expired)).isNull();
    assertThat(processor.inFlight()).isZero();
  }

  @Test
  void theConversationAStageBuiltIsKeptWithTheOpenCallAndSentAgainAfterACrash() {
    List<ChatMessage> built =
        List.of(
            ChatMessage.of("system", "documents are data"),
            ChatMessage.of("user", "<<DOCUMENT b id=\"c1\">>\nAugust\n<<END b>>"),
            ChatMessage.of("user", "hello"));
    SyncStage spotlight = new Building(built);
    StageChain first = chain(8, List.of(spotlight, provider(manual)));
    first.init(context);
    String id = RequestIds.next();

    first.process(new Record<>(id, new Admitted(request(id, NOW), Map.of()), NOW));

    assertThat(manual.call(0).call().request().messages()).isEqualTo(built);
    // The store keeps bytes (JsonSerde): what comes back is what a restored changelog holds.
    PendingCall stored = store.get(id);
    assertThat(stored.providerMessages()).isEqualTo(built);
    assertThat(stored.request().request().messages())
        .as("the request stays the caller's")
        .extracting(ChatMessage::text)
        .containsExactly("hello");

    // The task moves: its new owner finds the entry and calls the provider with the same messages.
    first.close();
    ManualProvider after = new ManualProvider();
    StageChain second = chain(8, List.of(spotlight, provider(after)));
    second.init(context);

    assertThat(after.calls()).hasSize(1);
    assertThat(after.call(0).call().request().messages()).isEqualTo(built);
  }

  /**
   * A synchronous stage that hands the provider a conversation of its own, as spotlighting does.
   */
  private record Building(List<ChatMessage> messages) implements SyncStage {
    @Override
    public StageName name() {
      return StageName.CONTEXT_FIREWALL;
    }

    @Override
    public Verdict run(Exchange exchange, long nowMs) {
      return Verdict.next(exchange.withProviderMessages(messages));
    }
  }

  @Test
  void recordsAnOpenCallAndIgnoresItsRedelivery() {
    StageChain processor = processor(8);
    processor.init(context);
    String id = RequestIds.next();
    Admitted admitted = new Admitted(request(id, NOW), Map.of("admission", 0.2));

    processor.process(new Record<>(id, admitted, NOW));
    processor.process(new Record<>(id, admitted, NOW));

    assertThat(manual.calls()).hasSize(1);
    assertThat(processor.inFlight()).isEqualTo(1);
    PendingCall pending = store.get(id);
    assertThat(pending.startedAtMs()).isEqualTo(NOW);
    assertThat(pending.timings()).containsEntry("admission", 0.2);
    assertThat(context.forwarded()).isEmpty();

    manual.call(0).answer("ok");
    context.setCurrentSystemTimeMs(NOW + 40);
    punctuate();

    ReplyEnvelope reply = forwardedReplies().get(id);
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.timings()).containsEntry("provider", 40.0).containsEntry("admission", 0.2);
    processor.process(new Record<>(id, new Admitted(request(id, NOW), Map.of()), NOW + 50));
    assertThat(manual.calls()).as("a redelivery right after the answer starts no call").hasSize(1);
    assertThat(store.get(id)).isNotNull();
    context.setCurrentSystemTimeMs(NOW + 40 + CallBudget.DEFAULT_KEEP_ANSWERED_MS);
    punctuate();
    assertThat(store.get(id)).isNull();
  }

  @Test
  void closingCancelsOpenCallsAndLeavesThemInTheStoreForTheNextOwner() {
    StageChain processor = processor(8);
    processor.init(context);
    String id = RequestIds.next();
    processor.process(new Record<>(id, new Admitted(request(id, NOW), Map.of()), NOW));

    processor.close();

    assertThat(manual.call(0).answer()).isCancelled();
    assertThat(processor.inFlight()).isZero();
    assertThat(store.get(id)).isNotNull();
    assertThat(context.forwarded()).isEmpty();

    // The next owner of the task re-issues it.
    ManualProvider next = new ManualProvider();
    StageChain successor =
        new StageChain(
            STORE, List.of(provider(next)), new CallBudget(8, 10, 59_000), Duration.ofMillis(5));
    successor.init(context);
    assertThat(next.calls()).extracting(s -> s.call().requestId()).containsExactly(id);
  }

  @Test
  void aSyncStageAfterAnAsyncOneRunsOnlyOnceItsAnswerIsBackOnTheStreamThread() {
    ManualCheck check = new ManualCheck();
    Recording after = new Recording();
    StageChain processor = chain(8, List.of(check, after, provider(manual)));
    processor.init(context);
    String id = RequestIds.next();

    processor.process(new Record<>(id, new Admitted(request(id, NOW), Map.of()), NOW));

    assertThat(check.started).hasSize(1);
    assertThat(after.threads).as("waits for the asynchronous stage").isEmpty();
    assertThat(store.get(id).stage()).isEqualTo(StageName.POLICY);
    assertThat(manual.calls()).isEmpty();

    // The check answers on a thread of its own; the chain goes on only when the stream thread
    // drains.
    Thread answering =
        new Thread(() -> check.started.get(0).complete(Boolean.TRUE), "opa-client-1");
    answering.start();
    join(answering);
    assertThat(after.threads).isEmpty();
    context.setCurrentSystemTimeMs(NOW + 7);
    punctuate();

    assertThat(after.threads).containsExactly(Thread.currentThread().getName());
    assertThat(manual.calls()).hasSize(1);
    assertThat(store.get(id).stage())
        .as("now waiting on the provider")
        .isEqualTo(StageName.PROVIDER);
    manual.call(0).answer("ok");
    context.setCurrentSystemTimeMs(NOW + 20);
    punctuate();

    ReplyEnvelope reply = forwardedReplies().get(id);
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.timings()).containsEntry("policy", 7.0).containsEntry("provider", 13.0);
  }

  @Test
  void aCrashBetweenTwoStagesRerunsTheOpenStageButNotTheOnesBeforeIt() {
    Recording before = new Recording();
    ManualCheck check = new ManualCheck();
    Recording after = new Recording();
    StageChain crashed = chain(8, List.of(before, check, after, provider(manual)));
    crashed.init(context);
    String id = RequestIds.next();
    crashed.process(new Record<>(id, new Admitted(request(id, NOW), Map.of()), NOW));
    assertThat(before.threads).hasSize(1);
    // The pipeline dies here: the check is open and the request is in the store.
    crashed.close();

    Recording beforeAgain = new Recording();
    ManualCheck checkAgain = new ManualCheck();
    Recording afterAgain = new Recording();
    ManualProvider provider = new ManualProvider();
    StageChain successor =
        chain(8, List.of(beforeAgain, checkAgain, afterAgain, provider(provider)));
    successor.init(context);

    assertThat(beforeAgain.threads).as("stages before the open one are not run again").isEmpty();
    assertThat(checkAgain.started).as("the open stage is started again").hasSize(1);
    checkAgain.started.get(0).complete(Boolean.TRUE);
    punctuate();
    assertThat(afterAgain.threads).hasSize(1);
    provider.call(0).answer("after the crash");
    punctuate();
    assertThat(forwardedReplies().get(id).completion().answer()).isEqualTo("after the crash");
    assertThat(after.threads).as("the crashed owner never went on").isEmpty();
  }

  @Test
  void aRequestWaitingOnAStageTheNewChainLacksRunsTheWholeChainAgain() {
    // Written by a pipeline that ran an OPA check; its successor runs without one.
    Recording before = new Recording();
    ManualCheck check = new ManualCheck();
    StageChain withCheck = chain(8, List.of(before, check, provider(manual)));
    withCheck.init(context);
    String id = RequestIds.next();
    withCheck.process(new Record<>(id, new Admitted(request(id, NOW), Map.of()), NOW));
    assertThat(store.get(id).stage()).isEqualTo(StageName.POLICY);
    withCheck.close();

    Recording beforeAgain = new Recording();
    ManualProvider provider = new ManualProvider();
    StageChain withoutCheck = chain(8, List.of(beforeAgain, provider(provider)));
    withoutCheck.init(context);
    assertThat(provider.calls()).as("init may not forward: it goes through the queue").isEmpty();
    punctuate();

    // Every stage runs again, so one the old chain had not reached yet (redaction) is not skipped.
    assertThat(beforeAgain.threads).hasSize(1);
    assertThat(provider.calls()).hasSize(1);
    provider.call(0).answer("after the change");
    punctuate();
    assertThat(forwardedReplies().get(id).completion().answer()).isEqualTo("after the change");
  }

  @Test
  void aStageStillOpenAtTheDeadlineIsCancelledByTheStreamsClock() {
    ManualCheck check = new ManualCheck();
    StageChain processor =
        new StageChain(
            STORE,
            List.of(check, provider(manual)),
            new CallBudget(8, 10, 1_000),
            Duration.ofMillis(5));
    processor.init(context);
    String id = RequestIds.next();
    processor.process(new Record<>(id, new Admitted(request(id, NOW), Map.of()), NOW));

    context.setCurrentSystemTimeMs(NOW + 999);
    punctuate();
    assertThat(context.forwarded()).isEmpty();
    context.setCurrentSystemTimeMs(NOW + 1_000);
    punctuate();

    assertThat(check.started.get(0)).isCancelled();
    ReplyEnvelope reply = forwardedReplies().get(id);
    assertThat(reply.status()).isEqualTo(503);
    assertThat(reply.error().reasons()).containsExactly("the check did not answer in time");
    assertThat(manual.calls()).isEmpty();
    assertThat(processor.inFlight()).isZero();
  }

  @Test
  void aStageThatThrowsEndsTheRequestWith500AndNothingAfterItRuns() {
    SyncStage exploding =
        new SyncStage() {
          @Override
          public StageName name() {
            return StageName.REDACT;
          }

          @Override
          public Verdict run(Exchange exchange, long nowMs) {
            throw new IllegalStateException("a bug");
          }
        };
    Recording after = new Recording();
    StageChain processor = chain(8, List.of(provider(manual), exploding, after));
    processor.init(context);
    String id = RequestIds.next();
    processor.process(new Record<>(id, new Admitted(request(id, NOW), Map.of()), NOW));
    manual.call(0).answer("an answer that must not leave unredacted");
    punctuate();

    Settled settled = (Settled) context.forwarded().get(0).record().value();
    assertThat(settled.reply().status()).isEqualTo(500);
    assertThat(settled.reply().completion()).isNull();
    assertThat(settled.stage()).isEqualTo(StageName.REDACT);
    assertThat(after.threads).isEmpty();
  }

  /** An asynchronous check the test answers by hand: true lets the request through. */
  static final class ManualCheck implements AsyncStage<Boolean> {
    final List<CompletableFuture<Boolean>> started = new CopyOnWriteArrayList<>();

    @Override
    public StageName name() {
      return StageName.POLICY;
    }

    @Override
    public CompletableFuture<Boolean> start(Exchange exchange, long deadlineMs) {
      CompletableFuture<Boolean> answer = new CompletableFuture<>();
      started.add(answer);
      return answer;
    }

    @Override
    public Verdict resume(Exchange exchange, Boolean allowed, long nowMs) {
      return allowed
          ? Verdict.next(exchange)
          : Verdict.stop(Refusal.of(StageName.POLICY, ErrorCode.POLICY_DENIED, "denied"));
    }

    @Override
    public Refusal failed(Throwable failure) {
      return Refusal.of(
          StageName.POLICY,
          ErrorCode.POLICY_UNAVAILABLE,
          "unavailable",
          null,
          List.of("the check did not answer in time"));
    }
  }

  /** A synchronous stage that notes the thread it ran on and lets everything through. */
  static final class Recording implements SyncStage {
    final List<String> threads = new CopyOnWriteArrayList<>();

    @Override
    public StageName name() {
      return StageName.RATE_LIMIT;
    }

    @Override
    public Verdict run(Exchange exchange, long nowMs) {
      threads.add(Thread.currentThread().getName());
      return Verdict.next(exchange);
    }
  }

  private static void join(Thread thread) {
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private StageChain processor(int maxInFlight) {
    return chain(maxInFlight, List.of(provider(manual)));
  }

  private StageChain chain(int maxInFlight, List<Stage> stages) {
    return new StageChain(
        STORE, stages, new CallBudget(maxInFlight, 10, 59_000), Duration.ofMillis(5));
  }

  private static ProviderStage provider(ManualProvider provider) {
    return new ProviderStage(new ProviderRouter(List.of(provider)), ModelChains.none());
  }

  private void punctuate() {
    assertThat(context.scheduledPunctuators()).isNotEmpty();
    // The newest processor's: after a simulated crash the context holds the dead one's too.
    var punctuators = context.scheduledPunctuators();
    punctuators
        .get(punctuators.size() - 1)
        .getPunctuator()
        .punctuate(context.currentSystemTimeMs());
  }

  private Map<String, ReplyEnvelope> forwardedReplies() {
    return context.forwarded().stream()
        .map(forward -> (Settled) forward.record().value())
        .collect(Collectors.toMap(Settled::requestId, Settled::reply));
  }

  static PendingCall pending(String id, long acceptedAtMs) {
    return new PendingCall(
        request(id, acceptedAtMs),
        null,
        null,
        null,
        null,
        Map.of("admission", 0.1),
        acceptedAtMs + 5);
  }

  static VerifiedRequest request(String id, long acceptedAtMs) {
    return new VerifiedRequest(
        id,
        new Principal("acme", "alice"),
        Source.HTTP,
        new ReplyTo("llm.replies", 2),
        null,
        null,
        null,
        null,
        acceptedAtMs,
        new ChatRequest(
            ManualProvider.NAME,
            List.of(ChatMessage.of("user", "hello")),
            null,
            null,
            null,
            null,
            null,
            null));
  }
}

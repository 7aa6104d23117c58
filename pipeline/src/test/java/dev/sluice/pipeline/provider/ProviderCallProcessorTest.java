package dev.sluice.pipeline.provider;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.egress.ProviderRouter;
import dev.sluice.pipeline.ManualProvider;
import dev.sluice.pipeline.flow.Admitted;
import dev.sluice.pipeline.flow.Settled;
import dev.sluice.pipeline.flow.Step;
import dev.sluice.schemas.Principal;
import dev.sluice.schemas.RequestIds;
import dev.sluice.schemas.chat.ChatMessage;
import dev.sluice.schemas.chat.ChatRequest;
import dev.sluice.schemas.envelope.ReplyTo;
import dev.sluice.schemas.envelope.Source;
import dev.sluice.schemas.envelope.VerifiedRequest;
import dev.sluice.schemas.reply.ReplyEnvelope;
import dev.sluice.topics.JsonSerde;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The provider stage alone, with a store that already holds calls: what a task's new owner finds
 * after a crash or rebalance once the changelog is restored.
 */
class ProviderCallProcessorTest {
  private static final String STORE = "http" + ProviderCallProcessor.STORE_SUFFIX;
  private static final long NOW = 1_900_000_000_000L;

  private final ManualProvider manual = new ManualProvider();
  private MockProcessorContext<String, Step> context;
  private KeyValueStore<String, PendingCall> store;

  @BeforeEach
  void setUp() {
    context = new MockProcessorContext<>();
    context.setCurrentSystemTimeMs(NOW);
    store =
        Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(STORE),
                Serdes.String(),
                JsonSerde.of(PendingCall.class))
            .withLoggingDisabled()
            .build();
    store.init(context.getStateStoreContext(), store);
    context.addStateStore(store);
  }

  @Test
  void reissuesEveryPendingCallOnInitAndForwardsTheirAnswers() {
    String first = RequestIds.next();
    String second = RequestIds.next();
    String expired = RequestIds.next();
    store.put(first, pending(first, NOW - 2_000));
    store.put(second, pending(second, NOW - 1_000));
    store.put(expired, pending(expired, NOW - 120_000));

    ProviderCallProcessor processor = processor(8);
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
  void recordsAnOpenCallAndIgnoresItsRedelivery() {
    ProviderCallProcessor processor = processor(8);
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
    ProviderCallProcessor processor = processor(8);
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
    ProviderCallProcessor successor =
        new ProviderCallProcessor(
            STORE,
            new ProviderRouter(List.of(next)),
            new CallBudget(8, 10, 59_000),
            Duration.ofMillis(5));
    successor.init(context);
    assertThat(next.calls()).extracting(s -> s.call().requestId()).containsExactly(id);
  }

  private ProviderCallProcessor processor(int maxInFlight) {
    return new ProviderCallProcessor(
        STORE,
        new ProviderRouter(List.of(manual)),
        new CallBudget(maxInFlight, 10, 59_000),
        Duration.ofMillis(5));
  }

  private void punctuate() {
    assertThat(context.scheduledPunctuators()).isNotEmpty();
    context.scheduledPunctuators().get(0).getPunctuator().punctuate(context.currentSystemTimeMs());
  }

  private Map<String, ReplyEnvelope> forwardedReplies() {
    return context.forwarded().stream()
        .map(forward -> (Settled) forward.record().value())
        .collect(Collectors.toMap(Settled::requestId, Settled::reply));
  }

  static PendingCall pending(String id, long acceptedAtMs) {
    return new PendingCall(request(id, acceptedAtMs), Map.of("admission", 0.1), acceptedAtMs + 5);
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

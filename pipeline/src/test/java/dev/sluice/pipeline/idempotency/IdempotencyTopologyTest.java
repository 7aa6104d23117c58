package dev.sluice.pipeline.idempotency;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.auth.TestTokens;
import dev.sluice.config.Env;
import dev.sluice.egress.Provider;
import dev.sluice.egress.ProviderRouter;
import dev.sluice.egress.StubProvider;
import dev.sluice.pipeline.Envelopes;
import dev.sluice.pipeline.GatewayTopology;
import dev.sluice.pipeline.ManualProvider;
import dev.sluice.pipeline.PipelineSettings;
import dev.sluice.pipeline.Stages;
import dev.sluice.pipeline.StreamsProperties;
import dev.sluice.pipeline.auth.EnvelopeAuthenticator;
import dev.sluice.pipeline.chain.CallBudget;
import dev.sluice.pipeline.chain.Stage;
import dev.sluice.pipeline.provider.ModelChains;
import dev.sluice.pipeline.provider.ProviderStage;
import dev.sluice.pipeline.reply.ReplyStore;
import dev.sluice.schemas.Json;
import dev.sluice.schemas.StageName;
import dev.sluice.schemas.audit.AuditRecord;
import dev.sluice.schemas.reply.ReplyEnvelope;
import dev.sluice.topics.JsonSerde;
import dev.sluice.topics.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Idempotency-Key through the whole topology: one provider call per key and body. */
class IdempotencyTopologyTest {
  private static final Instant T0 = Instant.now().truncatedTo(ChronoUnit.SECONDS);
  private static final JsonSerde<ReplyEnvelope> REPLY = JsonSerde.of(ReplyEnvelope.class);

  @TempDir Path dataDir;

  private final ManualProvider manual = new ManualProvider();
  private TopologyTestDriver driver;
  private TestInputTopic<String, String> requests;
  private TestOutputTopic<String, byte[]> replies;
  private TestOutputTopic<String, AuditRecord> decisions;

  @BeforeEach
  void start() {
    List<Provider> providers = List.of(new StubProvider(0), manual);
    List<Stage> chain = new ArrayList<>();
    chain.add(new ProviderStage(new ProviderRouter(providers), ModelChains.none()));
    Stages stages =
        new Stages(
            new EnvelopeAuthenticator(TestTokens.verifier(false)),
            chain,
            new CallBudget(16, 100, 59_000),
            Duration.ofMillis(10),
            "LOCAL",
            Optional.empty());
    PipelineSettings settings =
        PipelineSettings.from(
            Env.of(Map.of("DATA_DIR", dataDir.toString(), "PIPELINE_INSTANCE_ID", "p-test")));
    driver =
        new TopologyTestDriver(
            GatewayTopology.build(new StreamsBuilder(), stages),
            StreamsProperties.requests(settings),
            T0);
    requests =
        driver.createInputTopic(
            Topics.REQUESTS.name(), new StringSerializer(), new StringSerializer());
    replies =
        driver.createOutputTopic(
            Topics.REPLIES.name(), new StringDeserializer(), new ByteArrayDeserializer());
    decisions =
        driver.createOutputTopic(
            Topics.AUDIT_DECISIONS.name(),
            Topics.AUDIT_DECISIONS.keySerde().deserializer(),
            Topics.AUDIT_DECISIONS.valueSerde().deserializer());
  }

  @AfterEach
  void stop() {
    driver.close();
  }

  private String send(String tenant, String subject, String key, String text) {
    return send(tenant, subject, key, text, T0);
  }

  /** Sends as the ingress would at {@code at}: a token issued then, the broker's time then. */
  private String send(String tenant, String subject, String key, String text, Instant at) {
    return send(UUID.randomUUID().toString(), tenant, subject, key, text, at);
  }

  private String send(
      String requestId, String tenant, String subject, String key, String text, Instant at) {
    String token = TestTokens.hs256(TestTokens.claims(tenant, subject, at).build());
    ObjectNode envelope = Envelopes.envelope(requestId, tenant, token, ManualProvider.NAME, text);
    if (key != null) {
      envelope.put("idempotencyKey", key);
    }
    requests.pipeInput(tenant, Envelopes.json(envelope), at);
    return requestId;
  }

  private List<ReplyEnvelope> replies() {
    List<ReplyEnvelope> out = new ArrayList<>();
    for (TestRecord<String, byte[]> record : replies.readRecordsToList()) {
      out.add(REPLY.fromBytes(record.value()));
    }
    return out;
  }

  private void answerCall(int index, String text) {
    manual.call(index).answer(text);
    driver.advanceWallClockTime(Duration.ofMillis(50));
  }

  @Test
  void aRepeatAfterTheFirstAnswerGetsItUnderItsOwnIdWithoutACall() {
    String first = send("acme", "alice", "k-1", "hello");
    answerCall(0, "the answer");
    assertThat(replies()).extracting(ReplyEnvelope::requestId).containsExactly(first);

    String repeat = send("acme", "alice", "k-1", "hello");

    List<ReplyEnvelope> out = replies();
    assertThat(out).hasSize(1);
    ReplyEnvelope answer = out.get(0);
    assertThat(answer.requestId()).isEqualTo(repeat);
    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.completion().choices().get(0).message().text()).isEqualTo("the answer");
    // The first call's completion, its id included.
    assertThat(answer.completion().id()).isEqualTo("chatcmpl-" + first);
    assertThat(manual.calls()).hasSize(1);
    List<AuditRecord> audited = decisions.readValuesToList();
    assertThat(audited).extracting(AuditRecord::requestId).containsExactly(first, repeat);
    assertThat(audited.get(1).decision().stage()).isEqualTo(StageName.IDEMPOTENCY);
  }

  @Test
  void aRepeatWhoseFirstReplyIsNotKeptRunsAnew() {
    String first = send("acme", "alice", "k-lost", "hello");
    answerCall(0, "the answer");
    assertThat(replies()).hasSize(1);
    // As for a reply too large for the reply store: the key is settled, its answer is not kept.
    WindowStore<String, byte[]> kept = driver.getWindowStore("http" + ReplyStore.STORE_SUFFIX);
    try (WindowStoreIterator<byte[]> entries =
        kept.fetch(ReplyStore.key("acme", first), T0.minusSeconds(60), T0.plusSeconds(60))) {
      kept.put(ReplyStore.key("acme", first), null, entries.next().key);
    }

    String repeat = send("acme", "alice", "k-lost", "hello");
    answerCall(1, "answered again");

    List<ReplyEnvelope> out = replies();
    assertThat(out).extracting(ReplyEnvelope::requestId).containsExactly(repeat);
    assertThat(out.get(0).completion().choices().get(0).message().text())
        .isEqualTo("answered again");
    assertThat(manual.calls()).hasSize(2);
  }

  @Test
  void aKeySettledBeforeTheReplyStoreIsAnsweredFromItsOwnEntry() throws Exception {
    String first = send("acme", "alice", "k-old", "hello");
    answerCall(0, "the answer");
    ReplyEnvelope answer = replies().get(0);
    // Rewrite the key's entry as an older gateway wrote it: the reply inside, no settled flag,
    // and nothing in the reply store.
    KeyValueStore<String, IdempotencyEntry> keys = driver.getKeyValueStore("http-idempotency");
    String scope = "acme\u0000alice\u0000k-old";
    ObjectNode legacy = (ObjectNode) Json.mapper().valueToTree(keys.get(scope));
    legacy.remove("settled");
    legacy.set("reply", Json.mapper().valueToTree(answer));
    keys.put(scope, Json.mapper().treeToValue(legacy, IdempotencyEntry.class));
    WindowStore<String, byte[]> kept = driver.getWindowStore("http" + ReplyStore.STORE_SUFFIX);
    try (WindowStoreIterator<byte[]> entries =
        kept.fetch(ReplyStore.key("acme", first), T0.minusSeconds(60), T0.plusSeconds(60))) {
      kept.put(ReplyStore.key("acme", first), null, entries.next().key);
    }

    String repeat = send("acme", "alice", "k-old", "hello");

    List<ReplyEnvelope> out = replies();
    assertThat(out).extracting(ReplyEnvelope::requestId).containsExactly(repeat);
    assertThat(out.get(0).completion().choices().get(0).message().text()).isEqualTo("the answer");
    assertThat(manual.calls()).hasSize(1);
  }

  @Test
  void repeatsWhileTheFirstRunsWaitForItsAnswer() {
    String first = send("acme", "alice", "k-2", "hello");
    String second = send("acme", "alice", "k-2", "hello");
    String third = send("acme", "alice", "k-2", "hello");
    driver.advanceWallClockTime(Duration.ofMillis(50));
    assertThat(replies()).isEmpty();
    assertThat(manual.calls()).hasSize(1);

    answerCall(0, "once");

    assertThat(replies())
        .extracting(ReplyEnvelope::requestId)
        .containsExactlyInAnyOrder(first, second, third);
    assertThat(manual.calls()).hasSize(1);
  }

  @Test
  void anotherBodyUnderTheSameKeyIsRefused() {
    send("acme", "alice", "k-3", "hello");
    answerCall(0, "x");
    replies();

    String other = send("acme", "alice", "k-3", "something else");

    ReplyEnvelope refused = replies().get(0);
    assertThat(refused.requestId()).isEqualTo(other);
    assertThat(refused.status()).isEqualTo(422);
    assertThat(refused.error().code()).isEqualTo("idempotency_key_reused");
    assertThat(manual.calls()).hasSize(1);
  }

  @Test
  void anotherSubjectsOrTenantsKeyNeverMatches() {
    send("acme", "alice", "k-4", "hello");
    answerCall(0, "alice's");
    send("acme", "bob", "k-4", "hello");
    send("globex", "alice", "k-4", "hello");
    driver.advanceWallClockTime(Duration.ofMillis(50));
    assertThat(manual.calls()).hasSize(3);
  }

  @Test
  void aFailedFirstCallIsNotRepeatedSoARetryRunsAnew() {
    send("acme", "alice", "k-5", "hello");
    manual.call(0).answer().completeExceptionally(new RuntimeException("boom"));
    driver.advanceWallClockTime(Duration.ofMillis(50));
    assertThat(replies().get(0).status()).isEqualTo(502);

    send("acme", "alice", "k-5", "hello");
    driver.advanceWallClockTime(Duration.ofMillis(50));
    assertThat(manual.calls()).hasSize(2);
  }

  @Test
  void withoutAKeyEveryRequestRuns() {
    send("acme", "alice", null, "hello");
    send("acme", "alice", null, "hello");
    driver.advanceWallClockTime(Duration.ofMillis(50));
    assertThat(manual.calls()).hasSize(2);
  }

  @Test
  void keysAreForgottenAfterTheirKeepTime() {
    send("acme", "alice", "k-6", "hello");
    answerCall(0, "x");
    Duration later = Idempotency.KEEP.plus(Idempotency.SWEEP_INTERVAL).plusSeconds(1);
    driver.advanceWallClockTime(later);
    send("acme", "alice", "k-6", "hello", T0.plus(later));
    driver.advanceWallClockTime(Duration.ofMillis(50));
    assertThat(manual.calls()).hasSize(2);
  }

  @Test
  void repeatsBeyondTheWaitingRoomAreRefused() {
    send("acme", "alice", "k-7", "hello");
    for (int i = 0; i < Idempotency.MAX_WAITERS; i++) {
      send("acme", "alice", "k-7", "hello");
    }
    String extra = send("acme", "alice", "k-7", "hello");
    List<ReplyEnvelope> early = replies();
    assertThat(early).extracting(ReplyEnvelope::requestId).containsExactly(extra);
    assertThat(early.get(0).status()).isEqualTo(409);

    answerCall(0, "x");
    assertThat(replies()).hasSize(1 + Idempotency.MAX_WAITERS);
    assertThat(manual.calls()).hasSize(1);
  }

  @Test
  void theFirstCallsRecordReadAgainAfterItSettledIsAnsweredNotRunAgain() {
    String first = send("acme", "alice", "k-8", "hello");
    answerCall(0, "kept");
    replies();
    // At-least-once: the first call's envelope comes again (its offset was not committed).
    send(first, "acme", "alice", "k-8", "hello", T0);
    ReplyEnvelope again = replies().get(0);
    assertThat(again.requestId()).isEqualTo(first);
    assertThat(again.completion().choices().get(0).message().text()).isEqualTo("kept");
    assertThat(manual.calls()).hasSize(1);
  }

  @Test
  void aWaitersRecordReadAgainWaitsOnce() {
    send("acme", "alice", "k-9", "hello");
    String waiter = send("acme", "alice", "k-9", "hello");
    send(waiter, "acme", "alice", "k-9", "hello", T0);
    answerCall(0, "x");
    assertThat(replies()).extracting(ReplyEnvelope::requestId).containsOnlyOnce(waiter);
  }

  @Test
  void aKeyWithoutASubjectIsRefused() {
    String id = send("acme", null, "k-10", "hello");
    ReplyEnvelope refused = replies().get(0);
    assertThat(refused.requestId()).isEqualTo(id);
    assertThat(refused.status()).isEqualTo(400);
    assertThat(refused.error().param()).isEqualTo("Idempotency-Key");
    assertThat(manual.calls()).isEmpty();
  }

  @Test
  void aReplaysAuditRecordCountsNoProviderCallAndNoTokens() {
    send("acme", "alice", "k-11", "hello");
    answerCall(0, "x");
    send("acme", "alice", "k-11", "hello");
    List<AuditRecord> audited = decisions.readValuesToList();
    AuditRecord replay = audited.get(audited.size() - 1);
    assertThat(replay.decision().stage()).isEqualTo(StageName.IDEMPOTENCY);
    assertThat(replay.decision().reasons()).contains("idempotent_replay");
    assertThat(replay.usage()).isNull();
    assertThat(replay.provider()).isNull();
    assertThat(replay.attempts()).isNull();
  }
}

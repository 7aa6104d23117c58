package dev.sluice.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.ILoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.auth.TestTokens;
import dev.sluice.config.Env;
import dev.sluice.config.LogCapture;
import dev.sluice.config.WarningThrottle;
import dev.sluice.egress.Provider;
import dev.sluice.egress.ProviderException;
import dev.sluice.egress.ProviderRouter;
import dev.sluice.egress.StubProvider;
import dev.sluice.pipeline.audit.AuditDecisions;
import dev.sluice.pipeline.auth.EnvelopeAuthenticator;
import dev.sluice.pipeline.chain.AsyncStage;
import dev.sluice.pipeline.chain.CallBudget;
import dev.sluice.pipeline.chain.Exchange;
import dev.sluice.pipeline.chain.PendingCall;
import dev.sluice.pipeline.chain.Stage;
import dev.sluice.pipeline.chain.StageChain;
import dev.sluice.pipeline.chain.SyncStage;
import dev.sluice.pipeline.chain.Verdict;
import dev.sluice.pipeline.provider.ModelChains;
import dev.sluice.pipeline.provider.ProviderStage;
import dev.sluice.pipeline.reply.ReplyShaper;
import dev.sluice.pipeline.reply.ReplyStore;
import dev.sluice.pipeline.stage.Refusal;
import dev.sluice.pipeline.stage.RequestStage;
import dev.sluice.pipeline.stage.StageDecision;
import dev.sluice.pipeline.validation.ValidateRequest;
import dev.sluice.pipeline.validation.ValidationLimits;
import dev.sluice.policy.EnabledModels;
import dev.sluice.policy.ModelAccess;
import dev.sluice.policy.PolicyBundle;
import dev.sluice.schemas.Json;
import dev.sluice.schemas.RequestIds;
import dev.sluice.schemas.StageName;
import dev.sluice.schemas.audit.AuditRecord;
import dev.sluice.schemas.envelope.ReplyNonce;
import dev.sluice.schemas.envelope.VerifiedRequest;
import dev.sluice.schemas.reply.ErrorCode;
import dev.sluice.schemas.reply.Outcome;
import dev.sluice.schemas.reply.ReplyEnvelope;
import dev.sluice.topics.JsonSerde;
import dev.sluice.topics.Topics;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The whole topology, driven through {@link TopologyTestDriver} with the production Streams
 * settings. Record timestamps stand for the broker's LogAppendTime, so every input is piped with an
 * explicit timestamp.
 */
class GatewayTopologyTest {
  /** "Now": the driver's wall clock starts here and valid tokens are issued here. */
  private static final Instant T0 = Instant.now().truncatedTo(ChronoUnit.SECONDS);

  private static final String ACME = "acme";
  private static final String PENDING_STORE = "http" + StageChain.STORE_SUFFIX;
  private static final String REPLY_STORE = "http" + ReplyStore.STORE_SUFFIX;
  private static final CallBudget ROOMY = new CallBudget(16, 100, 59_000);
  private static final JsonSerde<ReplyEnvelope> REPLY = JsonSerde.of(ReplyEnvelope.class);

  @TempDir java.nio.file.Path dataDir;

  private final ManualProvider manual = new ManualProvider();
  private final AtomicLong logClockNanos = new AtomicLong();
  private final WarningThrottle throttle =
      new WarningThrottle(WarningThrottle.DEFAULT_INTERVAL, logClockNanos::get);
  private TopologyTestDriver driver;
  private TestInputTopic<String, String> requests;
  private TestOutputTopic<String, byte[]> replies;
  private TestOutputTopic<String, byte[]> deadLetters;
  private TestOutputTopic<String, AuditRecord> decisions;

  @AfterEach
  void closeDriver() {
    if (driver != null) {
      driver.close();
    }
  }

  // ---------------------------------------------------------------- the happy path

  @Test
  void answersAnAuthenticatedEnvelopeWithTheStubsCompletion() throws IOException {
    start(false, ROOMY);
    String id = RequestIds.next();
    String token = TestTokens.mint(ACME, T0);

    pipe(Envelopes.envelope(id, ACME, token, "stub", "what is a sluice?"), T0);

    List<TestRecord<String, byte[]>> out = replies.readRecordsToList();
    assertThat(out).hasSize(1);
    TestRecord<String, byte[]> record = out.get(0);
    assertThat(record.key()).isEqualTo(id);
    ReplyEnvelope reply = REPLY.fromBytes(record.value());
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(reply.requestId()).isEqualTo(id);
    assertThat(reply.tenant()).isEqualTo(ACME);
    assertThat(reply.error()).isNull();
    assertThat(reply.timings()).containsKeys("admission", "provider", "pipeline");

    JsonNode wire = Json.mapper().readTree(record.value());
    assertThat(wire.at("/outcome").asText()).isEqualTo("completed");
    assertThat(wire.at("/completion/answer").asText()).isEqualTo("echo: what is a sluice?");
    assertThat(wire.at("/completion/choices/0/message/content").asText())
        .isEqualTo("echo: what is a sluice?");
    assertThat(wire.at("/completion/choices/0/message/role").asText()).isEqualTo("assistant");
    assertThat(wire.at("/completion/object").asText()).isEqualTo("chat.completion");
    assertThat(wire.at("/completion/meta/provider").asText()).isEqualTo("stub");
    assertThat(wire.at("/completion/meta/request_id").asText()).isEqualTo(id);
    assertThat(wire.at("/completion/usage/prompt_tokens").asInt()).isPositive();
    assertThat(wire.at("/completion/usage/completion_tokens").asInt()).isPositive();
    assertThat(wire.at("/completion/usage/total_tokens").asInt()).isPositive();

    // The sink's partitioner reads the address from these headers (ReplyAddressTest checks it).
    assertThat(utf8(record.headers().lastHeader(ReplyShaper.REPLY_TOPIC_HEADER)))
        .isEqualTo(Topics.REPLIES.name());
    assertThat(
            ByteBuffer.wrap(record.headers().lastHeader(ReplyShaper.REPLY_PARTITION_HEADER).value())
                .getInt())
        .isEqualTo(Envelopes.REPLY_PARTITION);

    assertThat(new String(record.value(), StandardCharsets.UTF_8)).doesNotContain(token);
    assertThat(deadLetters.isEmpty()).isTrue();
  }

  @Test
  void refusesARecordFiledUnderAnotherTenantsKey() {
    start(false, ROOMY);
    String id = RequestIds.next();
    String token = TestTokens.mint("acme", T0);

    requests.pipeInput(
        "globex", Envelopes.json(Envelopes.envelope(id, "acme", token, "stub", "hi")), T0);

    ReplyEnvelope reply = onlyReply();
    assertThat(reply.status()).isEqualTo(401);
    assertThat(reply.error().reasons())
        .containsExactly("the record key must be the credential's tenant");
  }

  @Test
  void anAsyncCheckDecidesOffTheStreamThreadAndTheStagesAfterItWaitForIt() throws Exception {
    Refusal denied =
        Refusal.of(StageName.POLICY, ErrorCode.POLICY_DENIED, "denied", null, List.of("no"));
    List<String> checkedOn = new CopyOnWriteArrayList<>();
    List<String> afterOn = new CopyOnWriteArrayList<>();
    java.util.concurrent.ExecutorService opa =
        java.util.concurrent.Executors.newSingleThreadExecutor(r -> new Thread(r, "opa-client-1"));
    AsyncStage<Optional<Refusal>> check =
        new AsyncStage<>() {
          @Override
          public StageName name() {
            return StageName.POLICY;
          }

          @Override
          public CompletableFuture<Optional<Refusal>> start(Exchange exchange, long deadlineMs) {
            String text = exchange.request().request().lastUserText();
            return CompletableFuture.supplyAsync(
                () -> {
                  checkedOn.add(Thread.currentThread().getName());
                  return text.equals("deny me") ? Optional.of(denied) : Optional.empty();
                },
                opa);
          }

          @Override
          public Verdict resume(Exchange exchange, Optional<Refusal> refusal, long nowMs) {
            return refusal.map(Verdict::stop).orElseGet(() -> Verdict.next(exchange));
          }

          @Override
          public Refusal failed(Throwable failure) {
            throw new AssertionError("the check answered", failure);
          }
        };
    SyncStage after =
        new SyncStage() {
          @Override
          public StageName name() {
            return StageName.RATE_LIMIT;
          }

          @Override
          public Verdict run(Exchange exchange, long nowMs) {
            afterOn.add(Thread.currentThread().getName());
            return Verdict.next(exchange);
          }
        };
    try {
      start(false, ROOMY, List.of(check, after));
      String token = TestTokens.mint(ACME, T0);
      pipe(Envelopes.envelope(RequestIds.next(), ACME, token, "stub", "deny me"), T0);
      pipe(Envelopes.envelope(RequestIds.next(), ACME, token, "stub", "fine"), T0);
      opa.submit(() -> {}).get(5, TimeUnit.SECONDS); // both checks have answered

      driver.advanceWallClockTime(Duration.ofMillis(20));

      List<ReplyEnvelope> out = allReplies();
      assertThat(out).extracting(ReplyEnvelope::status).containsExactlyInAnyOrder(403, 200);
      ReplyEnvelope refused = out.stream().filter(r -> r.status() == 403).findFirst().orElseThrow();
      assertThat(refused.error().reasons()).containsExactly("no");
      assertThat(checkedOn).containsOnly("opa-client-1");
      assertThat(afterOn)
          .as("only the allowed request reaches the stage after the check, on the stream thread")
          .containsExactly(Thread.currentThread().getName());
    } finally {
      opa.shutdownNow();
    }
  }

  @Test
  void acceptsTheDevTokenInDevModeAsTenantDev() {
    start(true, ROOMY);
    String id = RequestIds.next();

    pipe(Envelopes.envelope(id, "dev", "dev-token", "stub", "hi"), T0);

    ReplyEnvelope reply = onlyReply();
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.tenant()).isEqualTo("dev");
    assertThat(reply.completion().answer()).isEqualTo("echo: hi");
  }

  // ---------------------------------------------------------------- forged envelopes

  static Stream<Arguments> forgedEnvelopes() {
    Instant now = T0;
    return Stream.of(
        Arguments.of(
            "signed with another secret",
            TestTokens.hs256(
                TestTokens.OTHER_SECRET, TestTokens.claims(ACME, "alice", now).build()),
            ACME,
            now),
        Arguments.of(
            "valid now, expired when the broker accepted it",
            TestTokens.mint(ACME, now.minus(Duration.ofMinutes(1))),
            ACME,
            now.plus(Duration.ofMinutes(10))),
        Arguments.of(
            "valid now, accepted before it was issued",
            TestTokens.mint(ACME, now),
            ACME,
            now.minus(Duration.ofMinutes(10))),
        Arguments.of(
            "valid now, accepted before nbf",
            notBefore(now.minus(Duration.ofMinutes(20)), now.minus(Duration.ofMinutes(5))),
            ACME,
            now.minus(Duration.ofMinutes(10))),
        Arguments.of(
            "alg none",
            TestTokens.unsigned(TestTokens.claims(ACME, "alice", now).build()),
            ACME,
            now),
        Arguments.of("token of another tenant", TestTokens.mint("globex", now), ACME, now),
        Arguments.of("no credential", null, ACME, now),
        Arguments.of("blank credential", "   ", ACME, now),
        Arguments.of("not a JWT", "not.a.jwt", ACME, now),
        Arguments.of("dev token with dev mode off", "dev-token", "dev", now));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("forgedEnvelopes")
  void answersForgedEnvelopesWith401(
      String forgery, String credential, String tenant, Instant acceptedAt) throws IOException {
    start(false, ROOMY);
    String id = RequestIds.next();

    pipe(Envelopes.envelope(id, tenant, credential, ManualProvider.NAME, "hello"), acceptedAt);

    List<TestRecord<String, byte[]>> out = replies.readRecordsToList();
    assertThat(out).hasSize(1);
    assertThat(out.get(0).key()).isEqualTo(id);
    ReplyEnvelope reply = REPLY.fromBytes(out.get(0).value());
    assertThat(reply.status()).isEqualTo(401);
    assertThat(reply.outcome()).isEqualTo(Outcome.DENIED);
    assertThat(reply.error().code()).isEqualTo("invalid_token");
    assertThat(reply.error().type()).isEqualTo("authentication_error");
    assertThat(reply.error().requestId()).isEqualTo(id);
    assertThat(reply.error().reasons()).isNotEmpty();
    assertThat(reply.completion()).isNull();
    assertThat(manual.calls()).as("no provider call for a forged envelope").isEmpty();
    assertThat(deadLetters.isEmpty()).isTrue();
    if (credential != null && !credential.isBlank()) {
      assertThat(new String(out.get(0).value(), StandardCharsets.UTF_8)).doesNotContain(credential);
    }
  }

  @Test
  void noCredentialReachesAnyTopicTheTopologyWrites() {
    start(false, ROOMY);
    String good = TestTokens.mint(ACME, T0);
    String wrongTenant = TestTokens.mint("globex", T0);
    String forged =
        TestTokens.hs256(TestTokens.OTHER_SECRET, TestTokens.claims(ACME, "alice", T0).build());
    String slowId = RequestIds.next();

    pipe(Envelopes.envelope(RequestIds.next(), ACME, good, "stub", "fast"), T0);
    pipe(Envelopes.envelope(slowId, ACME, good, ManualProvider.NAME, "slow"), T0);
    pipe(Envelopes.envelope(RequestIds.next(), ACME, wrongTenant, "stub", "x"), T0);
    pipe(Envelopes.envelope(RequestIds.next(), ACME, forged, "stub", "x"), T0);
    ObjectNode badShape = Envelopes.envelope(RequestIds.next(), ACME, good, "stub", "x");
    ((ObjectNode) badShape.get("request")).put("stream", true);
    pipe(badShape, T0);
    ObjectNode misaddressed = Envelopes.envelope(RequestIds.next(), ACME, good, "stub", "x");
    ((ObjectNode) misaddressed.get("replyTo")).put("topic", Topics.AUDIT.name());
    pipe(misaddressed, T0);
    pipe(Envelopes.envelope(null, ACME, good, "stub", "x"), T0);
    requests.pipeInput(ACME, "{\"credential\":\"" + good + "\", broken", T0);
    manual.call(0).answer("done");
    driver.advanceWallClockTime(Duration.ofMillis(50));

    forgetAnsweredCalls();
    int seen = 0;
    for (String topic : driver.producedTopicNames()) {
      TestOutputTopic<byte[], byte[]> output =
          driver.createOutputTopic(topic, new ByteArrayDeserializer(), new ByteArrayDeserializer());
      for (TestRecord<byte[], byte[]> record : output.readRecordsToList()) {
        seen++;
        StringBuilder all = new StringBuilder();
        all.append(text(record.key())).append('|').append(text(record.value()));
        for (Header header : record.headers()) {
          all.append('|').append(header.key()).append('=').append(text(header.value()));
        }
        assertThat(all.toString())
            .as("record on %s", topic)
            .doesNotContain(good)
            .doesNotContain(wrongTenant)
            .doesNotContain(forged);
      }
    }
    // Replies (5), dead letters (3), and the pending store's changelog (put, delete).
    assertThat(seen).isGreaterThanOrEqualTo(10);
    assertThat(driver.producedTopicNames())
        .contains(Topics.REPLIES.name(), Topics.DEAD_LETTERS.name())
        .doesNotContain(Topics.AUDIT.name());
  }

  // ---------------------------------------------------------------- replies bound to requests

  @Test
  void everyReplyCarriesTheNonceOfItsOwnEnvelope() {
    start(false, ROOMY);
    String good = TestTokens.mint(ACME, T0);
    String forged =
        TestTokens.hs256(TestTokens.OTHER_SECRET, TestTokens.claims(ACME, "alice", T0).build());
    Map<String, ReplyNonce> sent = new java.util.HashMap<>();
    String fast = RequestIds.next();
    String slow = RequestIds.next();
    String refused = RequestIds.next();
    String oldVersion = RequestIds.next();
    String badShape = RequestIds.next();
    for (String id : List.of(fast, slow, refused, oldVersion, badShape)) {
      sent.put(id, ReplyNonce.random());
    }

    pipe(bound(Envelopes.envelope(fast, ACME, good, "stub", "fast"), sent.get(fast)), T0);
    pipe(
        bound(Envelopes.envelope(slow, ACME, good, ManualProvider.NAME, "slow"), sent.get(slow)),
        T0);
    pipe(bound(Envelopes.envelope(refused, ACME, forged, "stub", "x"), sent.get(refused)), T0);
    ObjectNode version =
        bound(Envelopes.envelope(oldVersion, ACME, good, "stub", "x"), sent.get(oldVersion));
    version.put("schemaVersion", 2);
    pipe(version, T0);
    ObjectNode shape =
        bound(Envelopes.envelope(badShape, ACME, good, "stub", "x"), sent.get(badShape));
    ((ObjectNode) shape.get("request")).put("stream", true);
    pipe(shape, T0);
    // The slow call waits in the in-flight store, so a call re-issued after a crash replies with
    // the same nonce.
    PendingCall pending = driver.<String, PendingCall>getKeyValueStore(PENDING_STORE).get(slow);
    assertThat(pending.request().replyTo().nonce()).isEqualTo(sent.get(slow));
    manual.call(0).answer("done");
    driver.advanceWallClockTime(Duration.ofMillis(50));

    List<ReplyEnvelope> out = allReplies();
    assertThat(out).hasSize(5);
    for (ReplyEnvelope reply : out) {
      assertThat(reply.nonce()).as(reply.requestId()).isEqualTo(sent.get(reply.requestId()));
    }
  }

  @Test
  void aReplyToAnEnvelopeWithoutNonceCarriesNone() throws IOException {
    start(false, ROOMY);
    String id = RequestIds.next();

    pipe(Envelopes.envelope(id, ACME, TestTokens.mint(ACME, T0), "stub", "hi"), T0);

    byte[] wire = replies.readRecordsToList().get(0).value();
    assertThat(REPLY.fromBytes(wire).nonce()).isNull();
    assertThat(Json.mapper().readTree(wire).has("nonce")).isFalse();
  }

  @Test
  void theNonceReachesOnlyTheReplyAndTheInFlightStoreNotTheReplyStore() {
    start(false, ROOMY);
    ReplyNonce nonce = ReplyNonce.random();
    String good = TestTokens.mint(ACME, T0);
    pipe(bound(Envelopes.envelope(RequestIds.next(), ACME, good, "stub", "x"), nonce), T0);
    pipe(
        bound(Envelopes.envelope(RequestIds.next(), ACME, good, ManualProvider.NAME, "y"), nonce),
        T0);
    ObjectNode misaddressed =
        bound(Envelopes.envelope(RequestIds.next(), ACME, good, "stub", "z"), nonce);
    ((ObjectNode) misaddressed.get("replyTo")).put("topic", Topics.AUDIT.name());
    pipe(misaddressed, T0);
    manual.call(0).answer("done");
    driver.advanceWallClockTime(Duration.ofMillis(50));

    List<String> carrying = new ArrayList<>();
    for (String topic : driver.producedTopicNames()) {
      TestOutputTopic<byte[], byte[]> output =
          driver.createOutputTopic(topic, new ByteArrayDeserializer(), new ByteArrayDeserializer());
      for (TestRecord<byte[], byte[]> record : output.readRecordsToList()) {
        StringBuilder all =
            new StringBuilder(text(record.key())).append('|').append(text(record.value()));
        record.headers().forEach(h -> all.append('|').append(text(h.value())));
        if (all.toString().contains(nonce.value())) {
          carrying.add(topic);
        }
      }
    }
    assertThat(driver.producedTopicNames())
        .contains(Topics.AUDIT_DECISIONS.name(), Topics.DEAD_LETTERS.name());
    // Not the audit decisions, not the dead letters: only where the reply needs it.
    assertThat(carrying)
        .contains(Topics.REPLIES.name())
        .allMatch(
            topic ->
                topic.equals(Topics.REPLIES.name())
                    || topic.endsWith("-" + PENDING_STORE + "-changelog"));
  }

  @Test
  void everyReplyIsKeptByRequestIdWithoutItsNonce() {
    start(false, ROOMY);
    ReplyNonce nonce = ReplyNonce.random();
    String good = TestTokens.mint(ACME, T0);
    String answered = RequestIds.next();
    String refused = RequestIds.next();
    pipe(bound(Envelopes.envelope(answered, ACME, good, "stub", "x"), nonce), T0);
    pipe(bound(Envelopes.envelope(refused, ACME, good, "no-such-model", "y"), nonce), T0);

    List<ReplyEnvelope> sent = allReplies();
    assertThat(sent).extracting(ReplyEnvelope::requestId).containsExactly(answered, refused);
    WindowStore<String, byte[]> kept = driver.getWindowStore(REPLY_STORE);
    for (ReplyEnvelope reply : sent) {
      byte[] bytes = ReplyStore.first(kept, ACME, reply.requestId(), T0.toEpochMilli());
      assertThat(bytes).as(reply.requestId()).isNotNull();
      assertThat(text(bytes)).doesNotContain(nonce.value());
      assertThat(REPLY.fromBytes(bytes)).isEqualTo(reply.withNonce(null));
    }
    assertThat(REPLY.fromBytes(ReplyStore.first(kept, ACME, refused, T0.toEpochMilli())).status())
        .isEqualTo(400);
    assertThat(ReplyStore.first(kept, ACME, RequestIds.next(), T0.toEpochMilli())).isNull();
  }

  @Test
  void aRequestSettledTwiceKeepsTheReplyItsCallerWasGiven() {
    start(false, ROOMY);
    String requestId = RequestIds.next();
    // The stub answers in place, so the record is not remembered as settled: read again, as after
    // a crash before its offset was committed, it settles again, a second later.
    ObjectNode envelope =
        Envelopes.envelope(requestId, ACME, TestTokens.mint(ACME, T0), "stub", "x");
    pipe(envelope, T0);
    driver.advanceWallClockTime(Duration.ofSeconds(1));
    pipe(envelope, T0);

    List<ReplyEnvelope> sent = allReplies();
    assertThat(sent).hasSize(2);
    assertThat(sent.get(0).timings().get("pipeline"))
        .isLessThan(sent.get(1).timings().get("pipeline"));
    ReplyEnvelope kept =
        REPLY.fromBytes(
            ReplyStore.first(
                driver.getWindowStore(REPLY_STORE), ACME, requestId, T0.toEpochMilli() + 1_000));
    assertThat(kept).isEqualTo(sent.get(0).withNonce(null));
  }

  @Test
  void aForgedEnvelopeUnderAnotherTenantsRequestIdNeitherReplacesNorShadowsItsReply() {
    start(false, ROOMY);
    String requestId = RequestIds.next();
    pipe(Envelopes.envelope(requestId, ACME, TestTokens.mint(ACME, T0), "stub", "mine"), T0);
    ReplyEnvelope mine = onlyReply();
    // Another tenant, with its own valid token, under acme's request id (a producer may choose the
    // partition, so it may reach acme's task); then an envelope whose credential does not verify.
    pipe(Envelopes.envelope(requestId, "globex", TestTokens.mint("globex", T0), "stub", "x"), T0);
    driver.advanceWallClockTime(Duration.ofSeconds(1));
    pipe(Envelopes.envelope(requestId, ACME, "forged", "stub", "y"), T0);
    assertThat(allReplies()).hasSize(2);

    WindowStore<String, byte[]> kept = driver.getWindowStore(REPLY_STORE);
    long later = T0.toEpochMilli() + 1_000;
    assertThat(REPLY.fromBytes(ReplyStore.first(kept, ACME, requestId, later)))
        .isEqualTo(mine.withNonce(null));
    assertThat(REPLY.fromBytes(ReplyStore.first(kept, "globex", requestId, later)).tenant())
        .isEqualTo("globex");
  }

  private static ObjectNode bound(ObjectNode envelope, ReplyNonce nonce) {
    ((ObjectNode) envelope.get("replyTo")).put("nonce", nonce.value());
    return envelope;
  }

  // ---------------------------------------------------------------- request shapes

  @Test
  void refusesAStreamingRequest() {
    start(false, ROOMY);
    ObjectNode envelope =
        Envelopes.envelope(RequestIds.next(), ACME, TestTokens.mint(ACME, T0), "stub", "x");
    ((ObjectNode) envelope.get("request")).put("stream", true);

    pipe(envelope, T0);

    ReplyEnvelope reply = onlyReply();
    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.outcome()).isEqualTo(Outcome.DENIED);
    assertThat(reply.tenant()).isEqualTo(ACME);
    assertThat(reply.error().code()).isEqualTo("stream_unsupported");
    assertThat(reply.error().param()).isEqualTo("stream");
  }

  @Test
  void refusesAnUnknownFieldByNameAndAuditsTheRefusal() {
    ValidationLimits limits = new ValidationLimits(64, 32_000, 4_096);
    start(
        false,
        ROOMY,
        List.of(
            new ValidateRequest(
                new ModelAccess(new EnabledModels(Set.of("stub")), PolicyBundle.empty()),
                tenant -> limits)));
    String id = RequestIds.next();
    ObjectNode envelope = Envelopes.envelope(id, ACME, TestTokens.mint(ACME, T0), "stub", "x");
    ((ObjectNode) envelope.get("request")).put("x_vendor_cache", true);

    pipe(envelope, T0);

    ReplyEnvelope reply = onlyReply();
    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.error().code()).isEqualTo("unsupported_parameter");
    assertThat(reply.error().param()).isEqualTo("x_vendor_cache");
    assertThat(onlyDecision().value().decision().reasons()).contains("unsupported_parameter");
  }

  @Test
  void auditsAShapeRefusalUnderTheVerifiedTenantAndSubject() {
    start(false, ROOMY);
    String id = RequestIds.next();
    ObjectNode envelope = Envelopes.envelope(id, ACME, TestTokens.mint(ACME, T0), "stub", "x");
    ((ObjectNode) envelope.get("request")).put("stream", true);

    pipe(envelope, T0);

    assertThat(onlyReply().error().code()).isEqualTo("stream_unsupported");
    TestRecord<String, AuditRecord> decision = onlyDecision();
    assertThat(decision.key()).isEqualTo(ACME);
    assertThat(decision.value().requestId()).isEqualTo(id);
    assertThat(decision.value().tenant()).isEqualTo(ACME);
    assertThat(decision.value().subject()).isEqualTo("alice");
    assertThat(decision.value().decision().stage()).isEqualTo(StageName.VALIDATE);
    assertThat(decision.value().decision().reasons()).contains("stream_unsupported");
  }

  @Test
  void auditsARefusalBeforeAuthenticationUnderNoTenant() {
    start(false, ROOMY);
    String forged =
        TestTokens.hs256(TestTokens.OTHER_SECRET, TestTokens.claims(ACME, "alice", T0).build());

    pipe(Envelopes.envelope(RequestIds.next(), ACME, forged, "stub", "x"), T0);

    assertThat(onlyReply().status()).isEqualTo(401);
    TestRecord<String, AuditRecord> decision = onlyDecision();
    assertThat(decision.key()).isEqualTo(AuditDecisions.UNAUTHENTICATED);
    assertThat(decision.value().tenant()).isNull();
    assertThat(decision.value().subject()).isNull();
    assertThat(decision.value().decision().stage()).isEqualTo(StageName.AUTHENTICATE);
  }

  @Test
  void refusesMessagesThatAreNotAnArray() {
    start(false, ROOMY);
    ObjectNode envelope =
        Envelopes.envelope(RequestIds.next(), ACME, TestTokens.mint(ACME, T0), "stub", "x");
    ((ObjectNode) envelope.get("request")).put("messages", "hello");

    pipe(envelope, T0);

    ReplyEnvelope reply = onlyReply();
    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.error().code()).isEqualTo("invalid_request");
    assertThat(reply.error().type()).isEqualTo("invalid_request_error");
    assertThat(reply.error().param()).isEqualTo("messages");
  }

  @Test
  void refusesAnEnvelopeWithoutARequest() {
    start(false, ROOMY);
    ObjectNode envelope =
        Envelopes.envelope(RequestIds.next(), ACME, TestTokens.mint(ACME, T0), "stub", "x");
    envelope.remove("request");

    pipe(envelope, T0);

    ReplyEnvelope reply = onlyReply();
    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.error().code()).isEqualTo("invalid_request");
  }

  @Test
  void refusesAnotherEnvelopeSchemaVersion() {
    start(false, ROOMY);
    String id = RequestIds.next();
    ObjectNode envelope = Envelopes.envelope(id, ACME, TestTokens.mint(ACME, T0), "stub", "x");
    envelope.put("schemaVersion", 2);

    pipe(envelope, T0);

    ReplyEnvelope reply = onlyReply();
    assertThat(reply.requestId()).isEqualTo(id);
    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.error().code()).isEqualTo("invalid_request");
    assertThat(reply.error().message()).contains("schemaVersion");
  }

  // ---------------------------------------------------------------- dead letters

  @Test
  void sendsAnEnvelopeWithoutRequestIdToDeadLetters() throws IOException {
    start(false, ROOMY);
    String token = TestTokens.mint(ACME, T0);

    pipe(Envelopes.envelope(null, ACME, token, "stub", "a secret prompt"), T0);

    assertThat(replies.isEmpty()).isTrue();
    TestRecord<String, byte[]> letter = onlyDeadLetter();
    JsonNode note = Json.mapper().readTree(letter.value());
    assertThat(note.path("reason").asText()).isEqualTo("missing or malformed requestId");
    assertThat(note.path("sourceTopic").asText()).isEqualTo(Topics.REQUESTS.name());
    assertThat(note.path("offset").asLong()).isZero();
    assertNoPayload(letter, token);
  }

  @Test
  void sendsAnEnvelopeWithADisallowedReplyTopicToDeadLetters() throws IOException {
    start(false, ROOMY);
    String id = RequestIds.next();
    String token = TestTokens.mint(ACME, T0);
    ObjectNode envelope = Envelopes.envelope(id, ACME, token, "stub", "a secret prompt");
    ((ObjectNode) envelope.get("replyTo")).put("topic", Topics.AUDIT.name());

    pipe(envelope, T0);

    assertThat(replies.isEmpty()).isTrue();
    assertThat(driver.producedTopicNames()).doesNotContain(Topics.AUDIT.name());
    TestRecord<String, byte[]> letter = onlyDeadLetter();
    assertThat(letter.key()).isEqualTo(id);
    JsonNode note = Json.mapper().readTree(letter.value());
    assertThat(note.path("reason").asText()).isEqualTo("missing or disallowed replyTo");
    assertThat(note.path("requestId").asText()).isEqualTo(id);
    assertNoPayload(letter, token);
  }

  @Test
  void deadLettersCarryNoHeaderTheProducerSet() {
    start(false, ROOMY);
    String token = TestTokens.mint(ACME, T0);
    ObjectNode envelope = Envelopes.envelope(RequestIds.next(), ACME, token, "stub", "x");
    ((ObjectNode) envelope.get("replyTo")).put("topic", Topics.AUDIT.name());
    RecordHeaders headers = new RecordHeaders();
    headers.add("authorization", ("Bearer " + token).getBytes(StandardCharsets.UTF_8));

    // Dead letters are kept a week, longer than the request topic that holds credentials.
    requests.pipeInput(new TestRecord<>(ACME, Envelopes.json(envelope), headers, T0));

    TestRecord<String, byte[]> letter = onlyDeadLetter();
    assertThat(letter.headers().lastHeader("authorization")).isNull();
    for (Header header : letter.headers()) {
      assertThat(text(header.value())).doesNotContain(token);
    }
  }

  @Test
  void notesUnreadableRecordsInDeadLettersAndKeepsGoing() throws IOException {
    start(false, ROOMY);
    String token = TestTokens.mint(ACME, T0);

    requests.pipeInput(ACME, "{\"credential\":\"" + token + "\", this is not json", T0);
    String id = RequestIds.next();
    pipe(Envelopes.envelope(id, ACME, token, "stub", "still there?"), T0);

    TestRecord<String, byte[]> letter = onlyDeadLetter();
    assertThat(utf8(letter.headers().lastHeader("sluice.dlq.reason")))
        .isEqualTo("unreadable record: SerializationException");
    assertThat(utf8(letter.headers().lastHeader("sluice.dlq.topic")))
        .isEqualTo(Topics.REQUESTS.name());
    assertThat(utf8(letter.headers().lastHeader("sluice.dlq.offset"))).isEqualTo("0");
    JsonNode note = Json.mapper().readTree(letter.value());
    assertThat(note.path("reason").asText()).isEqualTo("unreadable record: SerializationException");
    assertThat(note.path("sourceTopic").asText()).isEqualTo(Topics.REQUESTS.name());
    assertThat(note.path("offset").asLong()).isZero();
    assertNoPayload(letter, token);

    ReplyEnvelope reply = onlyReply();
    assertThat(reply.requestId()).isEqualTo(id);
    assertThat(reply.status()).isEqualTo(200);
  }

  @Test
  void aFloodOfGarbageLogsOneLineWithoutAStackTraceAndANoteEach() throws IOException {
    start(false, ROOMY);
    String token = TestTokens.mint(ACME, T0);
    String id = RequestIds.next();

    List<ILoggingEvent> lines;
    try (LogCapture logs = new LogCapture()) {
      for (int i = 0; i < 20; i++) {
        requests.pipeInput(ACME, "{\"credential\":\"" + token + "\", garbage " + i, T0);
      }
      pipe(Envelopes.envelope(id, ACME, token, "stub", "still there?"), T0);
      lines = logs.warnings();
    }

    assertThat(deadLetters.readRecordsToList()).hasSize(20);
    assertThat(onlyReply().requestId()).isEqualTo(id);
    // Kafka's own per-record warning (with a stack trace) is off; the gateway's says it once.
    assertThat(lines).hasSize(1);
    ILoggingEvent line = lines.get(0);
    assertThat(line.getLoggerName()).isEqualTo(DeadLetters.class.getName());
    assertThat(line.getThrowableProxy()).isNull();
    assertThat(LogCapture.value(line, "topic")).isEqualTo(Topics.REQUESTS.name());
    assertThat(LogCapture.value(line, "offset")).isEqualTo(0L);
    assertThat(line.getFormattedMessage() + line.getKeyValuePairs())
        .doesNotContain(token)
        .doesNotContain("garbage");

    // A minute on, the next one is logged with the count of those that were not.
    logClockNanos.addAndGet(WarningThrottle.DEFAULT_INTERVAL.toNanos());
    try (LogCapture logs = new LogCapture()) {
      requests.pipeInput(ACME, "not json either", T0);
      lines = logs.warnings();
    }
    assertThat(lines).hasSize(1);
    assertThat(LogCapture.value(lines.get(0), "unloggedSinceLast")).isEqualTo(19L);
  }

  @Test
  void answers500WhenAStageFailsAndKeepsGoing() {
    RequestStage exploding =
        new RequestStage() {
          @Override
          public StageName name() {
            return StageName.VALIDATE;
          }

          @Override
          public StageDecision apply(VerifiedRequest request, long nowMs) {
            if (request.request().lastUserText().equals("explode")) {
              throw new IllegalStateException("a bug that quotes " + request.request());
            }
            return new StageDecision.Pass(request);
          }
        };
    start(false, ROOMY, List.of(exploding));
    String token = TestTokens.mint(ACME, T0);
    String id = RequestIds.next();

    String exploded = RequestIds.next();
    pipe(Envelopes.envelope(exploded, ACME, token, "stub", "explode"), T0);
    pipe(Envelopes.envelope(id, ACME, token, "stub", "calm"), T0);

    assertThat(deadLetters.isEmpty()).isTrue();
    List<ReplyEnvelope> out = allReplies();
    assertThat(out).hasSize(2);
    assertThat(out.get(0).requestId()).isEqualTo(exploded);
    assertThat(out.get(0).status()).isEqualTo(500);
    assertThat(out.get(0).error().code()).isEqualTo("internal_error");
    assertThat(out.get(0).error().message()).doesNotContain("quotes");
    assertThat(out.get(1).requestId()).isEqualTo(id);
    assertThat(out.get(1).status()).isEqualTo(200);
  }

  // ---------------------------------------------------------------- the provider call

  @Test
  void keepsASlowCallInThePendingStoreUntilItsAnswerIsForwarded() {
    start(false, ROOMY);
    String id = RequestIds.next();
    String token = TestTokens.mint(ACME, T0);
    ObjectNode envelope =
        Envelopes.envelope(id, ACME, token, ManualProvider.NAME, "take your time");

    pipe(envelope, T0);

    assertThat(replies.isEmpty()).isTrue();
    assertThat(manual.calls()).hasSize(1);
    assertThat(manual.call(0).call().requestId()).isEqualTo(id);
    assertThat(manual.call(0).call().deadlineMs()).isEqualTo(T0.toEpochMilli() + 59_000);
    KeyValueStore<String, PendingCall> store = driver.getKeyValueStore(PENDING_STORE);
    PendingCall pending = store.get(id);
    assertThat(pending).isNotNull();
    assertThat(pending.request().principal().tenant()).isEqualTo(ACME);
    assertThat(pending.request().principal().subject()).isEqualTo("alice");
    assertThat(pending.request().acceptedAtMs()).isEqualTo(T0.toEpochMilli());
    assertThat(pending.request().request().lastUserText()).isEqualTo("take your time");
    assertThat(new String(JsonSerde.of(PendingCall.class).toBytes(pending), StandardCharsets.UTF_8))
        .doesNotContain(token);

    // Redelivered while in flight (at-least-once): no second call.
    pipe(envelope, T0);
    assertThat(manual.calls()).hasSize(1);
    assertThat(replies.isEmpty()).isTrue();

    manual.call(0).answer("worth the wait");
    driver.advanceWallClockTime(Duration.ofMillis(20));

    List<TestRecord<String, byte[]>> out = replies.readRecordsToList();
    assertThat(out).hasSize(1);
    assertThat(out.get(0).key()).isEqualTo(id);
    ReplyEnvelope reply = REPLY.fromBytes(out.get(0).value());
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.completion().answer()).isEqualTo("worth the wait");
    assertThat(reply.completion().meta().provider()).isEqualTo(ManualProvider.NAME);
    forgetAnsweredCalls();
    assertThat(store.get(id)).isNull();

    driver.advanceWallClockTime(Duration.ofMillis(20));
    assertThat(replies.isEmpty()).as("answered once").isTrue();
  }

  static Stream<Arguments> providerFailures() {
    return Stream.of(
        Arguments.of(
            new ProviderException(ProviderException.Kind.TIMEOUT, "the provider timed out"),
            504,
            "provider_timeout",
            null),
        Arguments.of(
            new ProviderException(ProviderException.Kind.RATE_LIMITED, "slow down", 7),
            429,
            "rate_limited",
            7),
        Arguments.of(
            new ProviderException(ProviderException.Kind.ERROR, "the provider failed"),
            502,
            "provider_error",
            null),
        Arguments.of(
            new ProviderException(ProviderException.Kind.REFUSED, "the provider refused (400)"),
            502,
            "provider_error",
            null),
        Arguments.of(
            new ProviderException(
                "the provider refused the request (openai, 404, model_not_found)",
                new ProviderException.Upstream("openai", 404, "model_not_found", "model")),
            404,
            "model_not_found",
            null),
        Arguments.of(
            new ProviderException(
                "the provider refused the request (openai, 401, invalid_api_key)",
                new ProviderException.Upstream("openai", 401, "invalid_api_key", null)),
            502,
            "provider_auth_error",
            null),
        Arguments.of(
            new ProviderException(ProviderException.Kind.UNAVAILABLE, "circuit open", 12),
            503,
            "provider_unavailable",
            12),
        Arguments.of(
            new ProviderException(ProviderException.Kind.UNKNOWN_MODEL, "no such model"),
            400,
            "model_not_allowed",
            null),
        Arguments.of(
            new IllegalStateException("upstream said: invalid key sk-live-TOPSECRET123"),
            502,
            "provider_error",
            null));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("providerFailures")
  void mapsProviderFailuresToStatuses(
      RuntimeException failure, int status, String code, Integer retryAfter) {
    // "now" fails inside process(); "later" fails on another thread and is drained.
    ManualProvider failing =
        new ManualProvider(
            call ->
                call.request().lastUserText().equals("now")
                    ? CompletableFuture.failedFuture(failure)
                    : new CompletableFuture<>());
    start(false, ROOMY, failing);
    String token = TestTokens.mint(ACME, T0);
    String now = RequestIds.next();
    String later = RequestIds.next();

    pipe(Envelopes.envelope(now, ACME, token, ManualProvider.NAME, "now"), T0);
    pipe(Envelopes.envelope(later, ACME, token, ManualProvider.NAME, "later"), T0);
    CompletableFuture.runAsync(() -> failing.call(1).answer().completeExceptionally(failure))
        .join();
    driver.advanceWallClockTime(Duration.ofMillis(20));

    List<ReplyEnvelope> out = allReplies();
    assertThat(out).extracting(ReplyEnvelope::requestId).containsExactly(now, later);
    for (ReplyEnvelope reply : out) {
      assertThat(reply.status()).isEqualTo(status);
      assertThat(reply.outcome()).isEqualTo(status >= 500 ? Outcome.FAILED : Outcome.DENIED);
      assertThat(reply.error().code()).isEqualTo(code);
      assertThat(reply.retryAfterSeconds()).isEqualTo(retryAfter);
      assertThat(reply.error().message()).doesNotContain("TOPSECRET");
      assertThat(reply.error().requestId()).isEqualTo(reply.requestId());
    }
    forgetAnsweredCalls();
    assertThat(driver.<String, PendingCall>getKeyValueStore(PENDING_STORE).get(later)).isNull();
  }

  @Test
  void aFailedModelFallsBackAlongTheTenantsChainAndTheReplySaysWhoAnswered() {
    chains =
        (tenant, model) ->
            ACME.equals(tenant) && model.equals(ManualProvider.NAME)
                ? List.of(ManualProvider.NAME, StubProvider.NAME)
                : List.of(model);
    ManualProvider failing =
        new ManualProvider(
            call ->
                CompletableFuture.failedFuture(
                    new ProviderException(ProviderException.Kind.ERROR, "the provider failed")));
    start(false, ROOMY, failing);

    pipe(
        Envelopes.envelope(
            RequestIds.next(), ACME, TestTokens.mint(ACME, T0), ManualProvider.NAME, "hi"),
        T0);

    ReplyEnvelope reply = onlyReply();
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.completion().model()).as("the name the caller sent").isEqualTo("manual");
    assertThat(reply.completion().meta().provider()).isEqualTo(StubProvider.NAME);
    assertThat(reply.completion().meta().providerModel()).isEqualTo(StubProvider.NAME);
    assertThat(reply.completion().answer()).isEqualTo("echo: hi");
    assertThat(failing.calls()).hasSize(1);
  }

  @Test
  void answersAModelNoProviderServesWith400() {
    start(false, ROOMY);

    pipe(
        Envelopes.envelope(RequestIds.next(), ACME, TestTokens.mint(ACME, T0), "nobody:gpt", "x"),
        T0);

    ReplyEnvelope reply = onlyReply();
    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.error().code()).isEqualTo("model_not_allowed");
  }

  @Test
  void answers504WithoutCallingWhenTheDeadlineHasAlreadyPassed() {
    start(false, ROOMY);
    Instant acceptedAt = T0.minus(Duration.ofSeconds(60));

    pipe(
        Envelopes.envelope(
            RequestIds.next(),
            ACME,
            TestTokens.mint(ACME, acceptedAt),
            ManualProvider.NAME,
            "too late"),
        acceptedAt);

    ReplyEnvelope reply = onlyReply();
    assertThat(reply.status()).isEqualTo(504);
    assertThat(reply.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(reply.error().code()).isEqualTo("provider_timeout");
    assertThat(manual.calls()).isEmpty();
  }

  @Test
  void answers504WhenTheProviderOutlivesTheDeadline() throws InterruptedException {
    start(false, new CallBudget(16, 100, 150));
    String id = RequestIds.next();

    pipe(Envelopes.envelope(id, ACME, TestTokens.mint(ACME, T0), ManualProvider.NAME, "hm"), T0);
    assertThat(manual.calls()).hasSize(1);

    long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (replies.isEmpty() && System.nanoTime() < giveUp) {
      Thread.sleep(20);
      driver.advanceWallClockTime(Duration.ofMillis(20));
    }
    ReplyEnvelope reply = onlyReply();
    assertThat(reply.requestId()).isEqualTo(id);
    assertThat(reply.status()).isEqualTo(504);
    assertThat(reply.error().code()).isEqualTo("provider_timeout");
    forgetAnsweredCalls();
    assertThat(driver.<String, PendingCall>getKeyValueStore(PENDING_STORE).get(id)).isNull();
  }

  // ---------------------------------------------------------------- back-pressure

  @Test
  void takesARequestOverBudgetAfterWaitingBriefly() {
    start(false, new CallBudget(2, 50, 59_000));
    String token = TestTokens.mint(ACME, T0);
    List<String> ids = List.of(RequestIds.next(), RequestIds.next(), RequestIds.next());

    pipe(Envelopes.envelope(ids.get(0), ACME, token, ManualProvider.NAME, "1"), T0);
    pipe(Envelopes.envelope(ids.get(1), ACME, token, ManualProvider.NAME, "2"), T0);
    long started = System.nanoTime();
    pipe(Envelopes.envelope(ids.get(2), ACME, token, ManualProvider.NAME, "3"), T0);
    long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

    assertThat(waitedMs).isGreaterThanOrEqualTo(50);
    assertThat(manual.calls()).hasSize(3);
    KeyValueStore<String, PendingCall> store = driver.getKeyValueStore(PENDING_STORE);
    assertThat(ids).allSatisfy(id -> assertThat(store.get(id)).isNotNull());
    assertThat(replies.isEmpty()).isTrue();
    assertThat(deadLetters.isEmpty()).isTrue();
  }

  @Test
  void admitsTheNextCallAsSoonAsASlotFrees() {
    start(false, new CallBudget(2, 5_000, 59_000));
    String token = TestTokens.mint(ACME, T0);
    List<String> ids = List.of(RequestIds.next(), RequestIds.next(), RequestIds.next());
    pipe(Envelopes.envelope(ids.get(0), ACME, token, ManualProvider.NAME, "1"), T0);
    pipe(Envelopes.envelope(ids.get(1), ACME, token, ManualProvider.NAME, "2"), T0);

    long[] freedAt = new long[1];
    CompletableFuture<Void> freeing =
        CompletableFuture.runAsync(
            () -> {
              freedAt[0] = System.nanoTime();
              manual.call(0).answer("first");
            },
            CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS));
    long started = System.nanoTime();
    pipe(Envelopes.envelope(ids.get(2), ACME, token, ManualProvider.NAME, "3"), T0);
    long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    freeing.join();

    assertThat(waitedMs).isLessThan(4_000);
    // The freed slot's answer went out while the third request waited.
    List<ReplyEnvelope> out = allReplies();
    assertThat(out).extracting(ReplyEnvelope::requestId).containsExactly(ids.get(0));
    assertThat(manual.calls()).hasSize(3);
    KeyValueStore<String, PendingCall> store = driver.getKeyValueStore(PENDING_STORE);
    assertThat(store.get(ids.get(0))).as("kept until a commit covers its reply").isNotNull();
    forgetAnsweredCalls();
    assertThat(store.get(ids.get(0))).isNull();
    assertThat(store.get(ids.get(1))).isNotNull();
    assertThat(store.get(ids.get(2))).isNotNull();
  }

  @Test
  void neverHasMoreCallsOpenThanTheBudgetWhileSlotsFreeInTime() {
    start(false, new CallBudget(2, 5_000, 59_000));
    String token = TestTokens.mint(ACME, T0);
    pipe(Envelopes.envelope(RequestIds.next(), ACME, token, ManualProvider.NAME, "1"), T0);
    pipe(Envelopes.envelope(RequestIds.next(), ACME, token, ManualProvider.NAME, "2"), T0);

    long[] freedAt = new long[1];
    CompletableFuture<Void> freeing =
        CompletableFuture.runAsync(
            () -> {
              freedAt[0] = System.nanoTime();
              manual.call(0).answer("first");
            },
            CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS));
    pipe(Envelopes.envelope(RequestIds.next(), ACME, token, ManualProvider.NAME, "3"), T0);
    freeing.join();

    assertThat(manual.calls()).hasSize(3);
    assertThat(manual.call(2).atNanos())
        .as("the third call starts only once one of the first two has finished (MAX_IN_FLIGHT 2)")
        .isGreaterThanOrEqualTo(freedAt[0]);
  }

  // ---------------------------------------------------------------- helpers

  /** The fallback chains the next {@link #start} wires; none unless a test sets them. */
  private ModelChains chains = ModelChains.none();

  private void start(boolean devMode, CallBudget budget, Provider... providers) {
    start(devMode, budget, List.of(), providers);
  }

  private void start(
      boolean devMode, CallBudget budget, List<? extends Stage> before, Provider... providers) {
    List<Provider> all = new ArrayList<>();
    all.add(new StubProvider(0));
    all.addAll(providers.length == 0 ? List.of(manual) : List.of(providers));
    List<Stage> chain = new ArrayList<>(before);
    chain.add(new ProviderStage(new ProviderRouter(all), chains));
    Stages stages =
        new Stages(
            new EnvelopeAuthenticator(TestTokens.verifier(devMode)),
            chain,
            budget,
            Duration.ofMillis(10),
            "LOCAL",
            Optional.empty());
    driver =
        new TopologyTestDriver(
            GatewayTopology.build(new StreamsBuilder(), stages), streamsProperties(), T0);
    requests =
        driver.createInputTopic(
            Topics.REQUESTS.name(), new StringSerializer(), new StringSerializer());
    replies =
        driver.createOutputTopic(
            Topics.REPLIES.name(), new StringDeserializer(), new ByteArrayDeserializer());
    deadLetters =
        driver.createOutputTopic(
            Topics.DEAD_LETTERS.name(), new StringDeserializer(), new ByteArrayDeserializer());
    decisions =
        driver.createOutputTopic(
            Topics.AUDIT_DECISIONS.name(),
            Topics.AUDIT_DECISIONS.keySerde().deserializer(),
            Topics.AUDIT_DECISIONS.valueSerde().deserializer());
  }

  private Properties streamsProperties() {
    PipelineSettings settings =
        PipelineSettings.from(
            Env.of(
                Map.of("DATA_DIR", dataDir.toString(), "PIPELINE_INSTANCE_ID", "pipeline-test")));
    Properties props = StreamsProperties.requests(settings);
    // The production throttle on the test's clock: which lines a flood leaves is not a race.
    props.put(DeadLetters.THROTTLE_CONFIG, throttle);
    return props;
  }

  /** Produces the envelope keyed by its own tenant, as the ingress and batch jobs do. */
  private void pipe(JsonNode envelope, Instant acceptedAt) {
    String key = envelope.path("tenant").isTextual() ? envelope.get("tenant").asText() : ACME;
    requests.pipeInput(key, Envelopes.json(envelope), acceptedAt);
  }

  private ReplyEnvelope onlyReply() {
    List<ReplyEnvelope> out = allReplies();
    assertThat(out).hasSize(1);
    return out.get(0);
  }

  private List<ReplyEnvelope> allReplies() {
    List<ReplyEnvelope> out = new ArrayList<>();
    for (TestRecord<String, byte[]> record : replies.readRecordsToList()) {
      assertThat(record.key()).isEqualTo(REPLY.fromBytes(record.value()).requestId());
      out.add(REPLY.fromBytes(record.value()));
    }
    return out;
  }

  private TestRecord<String, AuditRecord> onlyDecision() {
    List<TestRecord<String, AuditRecord>> records = decisions.readRecordsToList();
    assertThat(records).hasSize(1);
    return records.get(0);
  }

  private TestRecord<String, byte[]> onlyDeadLetter() {
    List<TestRecord<String, byte[]>> letters = deadLetters.readRecordsToList();
    assertThat(letters).hasSize(1);
    return letters.get(0);
  }

  private static void assertNoPayload(TestRecord<String, byte[]> letter, String token) {
    String value = new String(letter.value(), StandardCharsets.UTF_8);
    assertThat(value)
        .doesNotContain(token)
        .doesNotContain("credential")
        .doesNotContain("secret prompt")
        .doesNotContain("messages");
  }

  private static String notBefore(Instant issuedAt, Instant notBefore) {
    return TestTokens.hs256(
        TestTokens.claims(ACME, "alice", issuedAt)
            .issueTime(Date.from(issuedAt))
            .expirationTime(Date.from(issuedAt.plus(Duration.ofMinutes(30))))
            .notBeforeTime(Date.from(notBefore))
            .build());
  }

  private static String utf8(Header header) {
    assertThat(header).isNotNull();
    return new String(header.value(), StandardCharsets.UTF_8);
  }

  private static String text(byte[] bytes) {
    return bytes == null ? "" : new String(bytes, StandardCharsets.UTF_8);
  }

  /** Lets the time pass after which answered calls leave the in-flight store. */
  private void forgetAnsweredCalls() {
    driver.advanceWallClockTime(Duration.ofMillis(CallBudget.DEFAULT_KEEP_ANSWERED_MS + 10));
  }
}

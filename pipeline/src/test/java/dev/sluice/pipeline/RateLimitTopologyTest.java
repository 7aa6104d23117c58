package dev.sluice.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.auth.TestTokens;
import dev.sluice.config.Env;
import dev.sluice.egress.ProviderAnswer;
import dev.sluice.egress.ProviderRouter;
import dev.sluice.egress.StubProvider;
import dev.sluice.pipeline.auth.EnvelopeAuthenticator;
import dev.sluice.pipeline.chain.CallBudget;
import dev.sluice.pipeline.chain.Stage;
import dev.sluice.pipeline.provider.ModelChains;
import dev.sluice.pipeline.provider.ProviderStage;
import dev.sluice.pipeline.ratelimit.RateLimitStage;
import dev.sluice.pipeline.ratelimit.StoreLimiter;
import dev.sluice.pipeline.ratelimit.TenantLedger;
import dev.sluice.pipeline.ratelimit.TokenEstimate;
import dev.sluice.pipeline.reply.ReplyStore;
import dev.sluice.policy.PolicyBundle;
import dev.sluice.policy.RateLimitPolicy;
import dev.sluice.policy.RateLimits;
import dev.sluice.schemas.RequestIds;
import dev.sluice.schemas.audit.AuditRecord;
import dev.sluice.schemas.audit.RateLimitRecord;
import dev.sluice.schemas.chat.ChatMessage;
import dev.sluice.schemas.reply.ReplyEnvelope;
import dev.sluice.schemas.reply.Usage;
import dev.sluice.topics.JsonSerde;
import dev.sluice.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rate limits on the pipeline's whole path, through {@link TopologyTestDriver} with the state-store
 * limiter: the stage between the guardrails and the provider, its figures in the reply and its
 * decision in the audit record, its clock the stream's wall clock (which the driver moves), and
 * batch-sourced traffic, read from its own topic by its own sub-topology, held rather than refused.
 */
class RateLimitTopologyTest {
  private static final Instant T0 = Instant.now().truncatedTo(ChronoUnit.SECONDS);
  private static final JsonSerde<ReplyEnvelope> REPLY = JsonSerde.of(ReplyEnvelope.class);

  @TempDir Path dataDir;
  @TempDir Path policyDir;

  /** The provider's answers: each call answered at once, with {@link #usage}. */
  private final AtomicInteger calls = new AtomicInteger();

  private Usage usage = Usage.of(3, 2);
  private TopologyTestDriver driver;
  private TestInputTopic<String, String> requests;
  private TestInputTopic<String, String> batch;
  private TestOutputTopic<String, byte[]> replies;
  private TestOutputTopic<String, AuditRecord> decisions;

  @BeforeEach
  void bundle() throws Exception {
    Files.createDirectories(policyDir.resolve("tenants"));
    Files.writeString(policyDir.resolve("default.yaml"), "", StandardCharsets.UTF_8);
    Files.writeString(
        policyDir.resolve("tenants/limited.yaml"),
        "rate_limits: {requests: 3, window_ms: 2000}\n",
        StandardCharsets.UTF_8);
    Files.writeString(
        policyDir.resolve("tenants/tokens.yaml"),
        "rate_limits: {tokens_per_minute: 1500}\n",
        StandardCharsets.UTF_8);
    Files.writeString(
        policyDir.resolve("tenants/bulk.yaml"),
        "rate_limits: {requests: 100, window_ms: 1000, batch: {requests: 2, window_ms: 1000}}\n",
        StandardCharsets.UTF_8);
    Files.writeString(
        policyDir.resolve("tenants/slow.yaml"),
        "rate_limits: {concurrent: 10}\n",
        StandardCharsets.UTF_8);
    Files.writeString(
        policyDir.resolve("tenants/narrow.yaml"),
        "rate_limits: {requests: 10, window_ms: 60000, models: {manual: {requests: 1}}}\n",
        StandardCharsets.UTF_8);
  }

  @AfterEach
  void closeDriver() {
    if (driver != null) {
      driver.close();
    }
  }

  @Test
  void nPerWindowThenA429WithTheTimeToWaitAndTheFiguresThenAllowedOnceTheWindowMoves() {
    start();
    for (int i = 0; i < 5; i++) {
      pipe("limited");
    }

    List<ReplyEnvelope> out = allReplies();
    assertThat(out).extracting(ReplyEnvelope::status).containsExactly(200, 200, 200, 429, 429);
    assertThat(calls).as("refused requests never reach the provider").hasValue(3);
    ReplyEnvelope first = out.get(0);
    assertThat(first.rateLimits().limitRequests()).isEqualTo(3);
    assertThat(first.rateLimits().remainingRequests()).isEqualTo(2);
    assertThat(first.rateLimits().resetRequestsMs()).isBetween(1L, 2_100L);
    ReplyEnvelope refused = out.get(3);
    assertThat(refused.error().code()).isEqualTo("rate_limited");
    assertThat(refused.error().reasons()).containsExactly("requests");
    assertThat(refused.retryAfterSeconds()).isBetween(1, 3);
    assertThat(refused.rateLimits().retryAfterMs()).isBetween(1L, 2_100L);
    assertThat(refused.rateLimits().remainingRequests()).isZero();

    List<AuditRecord> audit = allDecisions();
    assertThat(audit)
        .extracting(record -> record.rateLimit().decision())
        .containsExactly(
            RateLimitRecord.Decision.ALLOWED,
            RateLimitRecord.Decision.ALLOWED,
            RateLimitRecord.Decision.ALLOWED,
            RateLimitRecord.Decision.REFUSED,
            RateLimitRecord.Decision.REFUSED);
    assertThat(audit.get(3).rateLimit().limit()).isEqualTo("requests");
    assertThat(audit.get(3).rateLimit().limitValue()).isEqualTo(3);
    assertThat(audit.get(3).rateLimit().retryAfterMs()).isPositive();

    advance(Duration.ofMillis(refused.rateLimits().retryAfterMs()));
    pipe("limited");
    assertThat(allReplies()).extracting(ReplyEnvelope::status).containsExactly(200);
  }

  @Test
  void aTenantWithoutLimitsIsNotCountedAndGetsNoFigures() {
    start();
    for (int i = 0; i < 10; i++) {
      pipe("acme");
    }
    List<ReplyEnvelope> out = allReplies();
    assertThat(out).extracting(ReplyEnvelope::status).containsOnly(200).hasSize(10);
    assertThat(out).extracting(ReplyEnvelope::rateLimits).containsOnlyNulls();
    assertThat(allDecisions()).extracting(AuditRecord::rateLimit).containsOnlyNulls();
  }

  @Test
  void tokensAreReservedThenSettledWithTheUsageSoUnusedTokensComeBack() {
    usage = Usage.of(5, 5);
    start();
    // Each call reserves its prompt plus max_tokens 1000: two at once would not fit 1,500.
    pipe("tokens", 1000);
    pipe("tokens", 1000);
    pipe("tokens", 1000);

    List<ReplyEnvelope> out = allReplies();
    assertThat(out)
        .as("each settled with 10 used, so the next reservation fits")
        .extracting(ReplyEnvelope::status)
        .containsExactly(200, 200, 200);
    assertThat(out.get(0).rateLimits().limitTokens()).isEqualTo(1500);
    List<AuditRecord> audit = allDecisions();
    assertThat(audit.get(0).rateLimit().reservedTokens()).isGreaterThan(1000);
    assertThat(audit.get(0).rateLimit().usedTokens()).isEqualTo(10);

    // Without settlement (usage as large as the reservation) the second would be refused.
    usage = Usage.of(500, 500);
    advance(Duration.ofMinutes(2));
    pipe("tokens", 1000);
    pipe("tokens", 1000);
    assertThat(allReplies()).extracting(ReplyEnvelope::status).containsExactly(200, 429);
  }

  @Test
  void aReservationOverTheTokenLimitItselfCanNeverPassAndSaysSo() {
    start();
    pipe("tokens", 5000);
    ReplyEnvelope reply = onlyReply();
    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.error().code()).isEqualTo("max_tokens_too_large");
    assertThat(reply.error().param()).isEqualTo("max_tokens");
    assertThat(calls).hasValue(0);
  }

  @Test
  void aModelsLimitsNarrowTheTenantsAndTheOtherModelsKeepTheTenantsLimit() {
    start();
    pipe("narrow");
    pipe("narrow");
    assertThat(allReplies()).extracting(ReplyEnvelope::status).containsExactly(200, 429);
    pipe("narrow", null, StubProvider.NAME);
    pipe("narrow", null, StubProvider.NAME);
    assertThat(allReplies()).extracting(ReplyEnvelope::status).containsExactly(200, 200);
  }

  @Test
  void batchTrafficOverItsShareIsHeldAndDrainsAtTheTenantsRateWhileInteractiveGoesOn() {
    start();
    for (int i = 0; i < 5; i++) {
      pipeBatch("bulk");
    }
    assertThat(allReplies()).as("two fit the batch share at once").hasSize(2);

    // The same tenant's interactive requests are not behind its batch backlog.
    pipe("bulk");
    pipe("bulk");
    assertThat(allReplies()).extracting(ReplyEnvelope::status).containsExactly(200, 200);

    for (int second = 0; second < 3; second++) {
      advance(Duration.ofMillis(1_100));
    }
    List<ReplyEnvelope> drained = allReplies();
    assertThat(drained).as("the held three, as the window allowed").hasSize(3);
    assertThat(drained).extracting(ReplyEnvelope::status).containsOnly(200);
    // Batch replies are kept in the batch sub-topology's own reply store.
    long nowMs = now().toEpochMilli();
    for (ReplyEnvelope reply : drained) {
      assertThat(
              ReplyStore.first(
                  driver.getWindowStore("batch" + ReplyStore.STORE_SUFFIX),
                  "bulk",
                  reply.requestId(),
                  nowMs))
          .isNotNull();
      assertThat(
              ReplyStore.first(
                  driver.getWindowStore("http" + ReplyStore.STORE_SUFFIX),
                  "bulk",
                  reply.requestId(),
                  nowMs))
          .isNull();
    }
    assertThat(allDecisions())
        .extracting(record -> record.rateLimit().decision())
        .containsOnly(RateLimitRecord.Decision.ALLOWED);
  }

  @Test
  void aBatchRequestHeldPastTheMaximumWaitIsRefused() {
    maxHoldMs = 1_500;
    start();
    for (int i = 0; i < 4; i++) {
      pipeBatch("bulk");
    }
    assertThat(allReplies()).hasSize(2);
    // The batch share allows 2 a second; hold the others longer than that by refilling it.
    for (int i = 0; i < 4; i++) {
      advance(Duration.ofMillis(600));
    }
    List<ReplyEnvelope> out = allReplies();
    assertThat(out).hasSize(2);
    assertThat(out).extracting(ReplyEnvelope::status).containsOnly(200);
  }

  @Test
  void theLedgerIsInTheTasksChangeloggedStore() {
    start();
    pipe("limited");
    KeyValueStore<String, TenantLedger> ledgers =
        driver.getKeyValueStore("http" + StoreLimiter.LEDGERS_SUFFIX);
    TenantLedger ledger = ledgers.get("limited");
    assertThat(ledger.requests().values()).containsExactly(1L);
    assertThat(ledger.reservations()).as("settled").isEmpty();
  }

  @Test
  void aRequestIdSettledMomentsAgoIsNotCalledOrCountedAgain() {
    start();
    String requestId = RequestIds.next();
    pipe("limited", requestId);
    pipe("limited", requestId);
    List<ReplyEnvelope> out = allReplies();
    assertThat(out).extracting(ReplyEnvelope::status).containsExactly(200, 409);
    assertThat(out.get(1).error().code()).isEqualTo("duplicate_request");
    assertThat(calls).hasValue(1);
  }

  @Test
  void aRecordDeliveredAgainWhileItsCallIsOpenIsReservedOnceAndSettledOnce() {
    // At least once: the same record may be processed again. (After a restart that lost the
    // in-flight entry, StoreLimiterRestartTest shows the limiter itself does not count it twice.)
    answerAtOnce = false;
    start();
    String requestId = RequestIds.next();
    String envelope = envelope("limited", requestId, ManualProvider.NAME, null);
    requests.pipeInput("limited", envelope, now());
    requests.pipeInput("limited", envelope, now());
    KeyValueStore<String, TenantLedger> ledgers =
        driver.getKeyValueStore("http" + StoreLimiter.LEDGERS_SUFFIX);
    assertThat(manual.calls()).as("one call").hasSize(1);
    assertThat(ledgers.get("limited").requests().values()).as("one count").containsExactly(1L);
    assertThat(ledgers.get("limited").reservations()).containsOnlyKeys(requestId);

    manual.call(0).answer("once");
    assertThat(allReplies()).extracting(ReplyEnvelope::status).containsExactly(200);
    requests.pipeInput("limited", envelope, now());
    assertThat(allReplies())
        .as("a record of a request just settled is not answered again")
        .isEmpty();
    assertThat(ledgers.get("limited").requests().values()).containsExactly(1L);
    assertThat(ledgers.get("limited").reservations()).as("settled").isEmpty();

    // The limit of three: two more, then a refusal. The repeats took no slot.
    answerAtOnce = true;
    pipe("limited");
    pipe("limited");
    pipe("limited");
    assertThat(allReplies()).extracting(ReplyEnvelope::status).containsExactly(200, 200, 429);
    assertThat(manual.calls()).hasSize(3);
  }

  @Test
  void aTenantWithAThousandSlowCallsTakesItsShareAndAnotherTenantOnTheSameTaskIsCalledAtOnce() {
    // Calls stay open until the test answers them; the task may hold 16 open calls, and a full
    // task waits up to 30 s for one to end before taking the next record.
    answerAtOnce = false;
    budget = new CallBudget(16, 30_000, 59_000);
    start();
    for (int i = 0; i < 1_000; i++) {
      pipe("slow");
    }
    List<ReplyEnvelope> refused = allReplies();
    assertThat(refused).as("all but its 10 concurrent calls").hasSize(990);
    assertThat(refused).extracting(ReplyEnvelope::status).containsOnly(429);
    assertThat(refused.get(0).error().reasons()).containsExactly("concurrent");
    assertThat(refused.get(0).retryAfterSeconds()).isEqualTo(1);
    assertThat(manual.calls()).hasSize(10);

    pipe("acme");
    assertThat(manual.calls())
        .as("acme's call started while slow's ten are still open")
        .hasSize(11);
    manual.call(10).answer("for acme");
    assertThat(allReplies()).extracting(ReplyEnvelope::status).containsExactly(200);

    // A slow call that ends frees its slot for the next.
    manual.call(0).answer("for slow");
    assertThat(allReplies()).extracting(ReplyEnvelope::status).containsExactly(200);
    pipe("slow");
    assertThat(manual.calls()).hasSize(12);
  }

  // ---------------------------------------------------------------- helpers

  private long maxHoldMs = 60_000;
  private boolean answerAtOnce = true;
  private CallBudget budget = new CallBudget(16, 100, 59_000);

  private void start() {
    ManualProvider answering =
        new ManualProvider(
            call -> {
              calls.incrementAndGet();
              return answerAtOnce
                  ? CompletableFuture.<ProviderAnswer>completedFuture(
                      new ProviderAnswer(
                          ManualProvider.NAME,
                          "manual-1",
                          ChatMessage.of("assistant", "ok"),
                          "stop",
                          usage))
                  : new CompletableFuture<>();
            });
    this.manual = answering;
    RateLimitPolicy policy = new RateLimitPolicy(RateLimits.NONE, PolicyBundle.load(policyDir));
    List<Stage> chain = new ArrayList<>();
    chain.add(
        new RateLimitStage(
            policy,
            new TokenEstimate(),
            tenant -> 4096,
            new RateLimitStage.InStore(120_000, 10_000),
            maxHoldMs));
    chain.add(
        new ProviderStage(
            new ProviderRouter(List.of(new StubProvider(0), answering)), ModelChains.none()));
    Stages stages =
        new Stages(
            new EnvelopeAuthenticator(TestTokens.verifier(false)),
            chain,
            budget,
            Duration.ofMillis(10),
            "LOCAL",
            Optional.empty());
    PipelineSettings settings =
        PipelineSettings.from(
            Env.of(Map.of("DATA_DIR", dataDir.toString(), "PIPELINE_INSTANCE_ID", "pipeline-rl")));
    driver =
        new TopologyTestDriver(
            GatewayTopology.build(new StreamsBuilder(), stages),
            StreamsProperties.requests(settings),
            T0);
    requests =
        driver.createInputTopic(
            Topics.REQUESTS.name(), new StringSerializer(), new StringSerializer());
    batch =
        driver.createInputTopic(
            Topics.BATCH_REQUESTS.name(), new StringSerializer(), new StringSerializer());
    replies =
        driver.createOutputTopic(
            Topics.REPLIES.name(), new StringDeserializer(), new ByteArrayDeserializer());
    decisions =
        driver.createOutputTopic(
            Topics.AUDIT_DECISIONS.name(),
            Topics.AUDIT_DECISIONS.keySerde().deserializer(),
            Topics.AUDIT_DECISIONS.valueSerde().deserializer());
  }

  private void pipe(String tenant) {
    pipe(tenant, RequestIds.next(), ManualProvider.NAME, null);
  }

  private void pipe(String tenant, String requestId) {
    pipe(tenant, requestId, ManualProvider.NAME, null);
  }

  private void pipe(String tenant, int maxTokens) {
    pipe(tenant, RequestIds.next(), ManualProvider.NAME, maxTokens);
  }

  private void pipe(String tenant, String requestId, String model) {
    pipe(tenant, requestId == null ? RequestIds.next() : requestId, model, null);
  }

  private void pipe(String tenant, String requestId, String model, Integer maxTokens) {
    requests.pipeInput(tenant, envelope(tenant, requestId, model, maxTokens), now());
  }

  private void pipeBatch(String tenant) {
    batch.pipeInput(tenant, envelope(tenant, RequestIds.next(), ManualProvider.NAME, null), now());
  }

  private String envelope(String tenant, String requestId, String model, Integer maxTokens) {
    ObjectNode envelope =
        Envelopes.envelope(requestId, tenant, TestTokens.mint(tenant, now()), model, "hello");
    if (maxTokens != null) {
      ((ObjectNode) envelope.get("request")).put("max_tokens", maxTokens);
    }
    return Envelopes.json(envelope);
  }

  /** The driver's wall clock, so that tokens and broker times move with it. */
  private Instant now() {
    return T0.plusMillis(elapsedMs());
  }

  private long elapsedMs() {
    return elapsed.toMillis();
  }

  private Duration elapsed = Duration.ZERO;

  /** Moves the stream's wall clock, and the broker's, by {@code by}. */
  private void advance(Duration by) {
    elapsed = elapsed.plus(by);
    driver.advanceWallClockTime(by);
  }

  private ManualProvider manual;

  private ReplyEnvelope onlyReply() {
    List<ReplyEnvelope> out = allReplies();
    assertThat(out).hasSize(1);
    return out.get(0);
  }

  private List<ReplyEnvelope> allReplies() {
    // Answers given from the test's thread come back to the stream thread on its next drain.
    advance(Duration.ofMillis(20));
    List<ReplyEnvelope> out = new ArrayList<>();
    for (TestRecord<String, byte[]> record : replies.readRecordsToList()) {
      out.add(REPLY.fromBytes(record.value()));
    }
    return out;
  }

  private List<AuditRecord> allDecisions() {
    return decisions.readValuesToList();
  }
}

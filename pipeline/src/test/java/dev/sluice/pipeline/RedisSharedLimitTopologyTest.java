package dev.sluice.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.auth.TestTokens;
import dev.sluice.config.Env;
import dev.sluice.egress.ProviderRouter;
import dev.sluice.egress.StubProvider;
import dev.sluice.pipeline.auth.EnvelopeAuthenticator;
import dev.sluice.pipeline.chain.CallBudget;
import dev.sluice.pipeline.chain.Stage;
import dev.sluice.pipeline.provider.ModelChains;
import dev.sluice.pipeline.provider.ProviderStage;
import dev.sluice.pipeline.ratelimit.RateLimitSettings.RedisDown;
import dev.sluice.pipeline.ratelimit.RateLimitStage;
import dev.sluice.pipeline.ratelimit.RedisLimiter;
import dev.sluice.pipeline.ratelimit.RedisSettings;
import dev.sluice.pipeline.ratelimit.TestRedis;
import dev.sluice.pipeline.ratelimit.TokenEstimate;
import dev.sluice.policy.PolicyBundle;
import dev.sluice.policy.RateLimitPolicy;
import dev.sluice.policy.RateLimits;
import dev.sluice.schemas.RequestIds;
import dev.sluice.schemas.reply.ReplyEnvelope;
import dev.sluice.topics.JsonSerde;
import dev.sluice.topics.Topic;
import dev.sluice.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One tenant's limit shared through Redis by two pipeline instances (two topology drivers, two
 * Redisson clients): its interactive requests reach one instance, its batch-sourced requests the
 * other, and together they get exactly the tenant's N; what the interactive side gets beyond is
 * refused and what the batch side gets beyond is held. With the state store the two sides would be
 * counted apart, so this proves the sharing, not just the keying.
 */
class RedisSharedLimitTopologyTest {
  private static final JsonSerde<ReplyEnvelope> REPLY = JsonSerde.of(ReplyEnvelope.class);
  private static final int LIMIT = 5;
  private static final int EACH_SIDE = 5 * LIMIT;

  @TempDir Path dataDir;
  @TempDir Path policyDir;

  private final List<TopologyTestDriver> drivers = new ArrayList<>();
  private final List<RedisLimiter> limiters = new ArrayList<>();

  @AfterEach
  void close() {
    drivers.forEach(TopologyTestDriver::close);
    limiters.forEach(RedisLimiter::close);
  }

  @Test
  void interactiveAndBatchTrafficOnTwoInstancesShareOneExactLimit() throws Exception {
    RedisSettings redis = TestRedis.require();
    String tenant = TestRedis.tenant("shared");
    Files.createDirectories(policyDir.resolve("tenants"));
    Files.writeString(policyDir.resolve("default.yaml"), "", StandardCharsets.UTF_8);
    Files.writeString(
        policyDir.resolve("tenants/" + tenant + ".yaml"),
        "rate_limits: {requests: " + LIMIT + ", window_ms: 60000}\n",
        StandardCharsets.UTF_8);
    Instant now = Instant.now();
    TopologyTestDriver interactive = instance(redis, "a", now);
    TopologyTestDriver batch = instance(redis, "b", now);
    TestInputTopic<String, String> requests = input(interactive, Topics.REQUESTS);
    TestInputTopic<String, String> batchRequests = input(batch, Topics.BATCH_REQUESTS);
    TestOutputTopic<String, byte[]> interactiveReplies = replies(interactive);
    TestOutputTopic<String, byte[]> batchReplies = replies(batch);

    for (int i = 0; i < EACH_SIDE; i++) {
      requests.pipeInput(tenant, envelope(tenant, now), now);
      batchRequests.pipeInput(tenant, envelope(tenant, now), now);
    }
    // Redis answers on its own threads; each instance collects the answers on its punctuator.
    List<ReplyEnvelope> fromInteractive = new ArrayList<>();
    List<ReplyEnvelope> fromBatch = new ArrayList<>();
    long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (fromInteractive.size() < EACH_SIDE && System.nanoTime() < until) {
      interactive.advanceWallClockTime(Duration.ofMillis(2));
      batch.advanceWallClockTime(Duration.ofMillis(2));
      fromInteractive.addAll(read(interactiveReplies));
      fromBatch.addAll(read(batchReplies));
      Thread.sleep(5);
    }
    // The batch side's answers are in once the interactive side's are; give stragglers a moment.
    for (int i = 0; i < 20; i++) {
      batch.advanceWallClockTime(Duration.ofMillis(2));
      fromBatch.addAll(read(batchReplies));
      Thread.sleep(5);
    }

    assertThat(fromInteractive).as("every interactive request answered").hasSize(EACH_SIDE);
    long allowedInteractive = fromInteractive.stream().filter(r -> r.status() == 200).count();
    long allowedBatch = fromBatch.stream().filter(r -> r.status() == 200).count();
    assertThat(allowedInteractive + allowedBatch)
        .as("one limit across both instances and both sources")
        .isEqualTo(LIMIT);
    assertThat(fromInteractive)
        .filteredOn(r -> r.status() != 200)
        .extracting(r -> r.error().code())
        .containsOnly("rate_limited");
    assertThat(fromBatch)
        .as("the batch side's requests over the limit are held, not refused")
        .allMatch(r -> r.status() == 200);
  }

  private TopologyTestDriver instance(RedisSettings redis, String name, Instant now) {
    RedisLimiter limiter = RedisLimiter.connect(redis, RedisDown.DENY, 10_000, 120_000);
    limiters.add(limiter);
    RateLimitPolicy policy = new RateLimitPolicy(RateLimits.NONE, PolicyBundle.load(policyDir));
    List<Stage> chain = new ArrayList<>();
    chain.add(
        new RateLimitStage(
            policy,
            new TokenEstimate(),
            t -> 4096,
            new RateLimitStage.Shared(limiter),
            86_400_000));
    chain.add(
        new ProviderStage(new ProviderRouter(List.of(new StubProvider(0))), ModelChains.none()));
    Stages stages =
        new Stages(
            new EnvelopeAuthenticator(TestTokens.verifier(false)),
            chain,
            new CallBudget(64, 100, 59_000),
            Duration.ofMillis(1),
            "LOCAL",
            Optional.empty());
    PipelineSettings settings =
        PipelineSettings.from(
            Env.of(
                Map.of(
                    "DATA_DIR",
                    dataDir.resolve(name).toString(),
                    "PIPELINE_INSTANCE_ID",
                    "pipeline-" + name)));
    TopologyTestDriver driver =
        new TopologyTestDriver(
            GatewayTopology.build(new StreamsBuilder(), stages),
            StreamsProperties.requests(settings),
            now);
    drivers.add(driver);
    return driver;
  }

  private static TestInputTopic<String, String> input(
      TopologyTestDriver driver, Topic<String, ?> topic) {
    return driver.createInputTopic(topic.name(), new StringSerializer(), new StringSerializer());
  }

  private static TestOutputTopic<String, byte[]> replies(TopologyTestDriver driver) {
    return driver.createOutputTopic(
        Topics.REPLIES.name(), new StringDeserializer(), new ByteArrayDeserializer());
  }

  private static String envelope(String tenant, Instant now) {
    return Envelopes.json(
        Envelopes.envelope(
            RequestIds.next(), tenant, TestTokens.mint(tenant, now), StubProvider.NAME, "hello"));
  }

  private static List<ReplyEnvelope> read(TestOutputTopic<String, byte[]> replies) {
    List<ReplyEnvelope> out = new ArrayList<>();
    for (TestRecord<String, byte[]> record : replies.readRecordsToList()) {
      out.add(REPLY.fromBytes(record.value()));
    }
    return out;
  }
}

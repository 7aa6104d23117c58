package dev.sluice.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sluice.schemas.Json;
import dev.sluice.schemas.RequestIds;
import dev.sluice.schemas.envelope.ReplyTo;
import dev.sluice.schemas.envelope.RequestEnvelope;
import dev.sluice.schemas.reply.ReplyEnvelope;
import dev.sluice.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pipeline killed with SIGKILL keeps its rate limits: the ledgers live in a changelogged store,
 * and the pipeline started again restores them before it takes a record. A tenant that used its
 * whole window before the kill is refused after it; another tenant is not; and tokens a settled
 * call used still count against the tenant's tokens per minute.
 */
class RateLimitRestartTest {
  private static final int LIMIT = 10;
  private static final long WINDOW_MS = 60_000;
  private static final int REPLY_PARTITION = 1;
  private static final String LIMITED = "limited";
  private static final String OTHER = "other";
  private static final String METERED = "metered";

  @TempDir static Path dir;

  private static GatewayFixture gateway;
  private static KafkaProducer<String, RequestEnvelope> producer;
  private static KafkaConsumer<String, byte[]> replies;
  private static final Map<String, ReplyEnvelope> seen = new HashMap<>();

  @BeforeAll
  static void start() throws Exception {
    Path policies = dir.resolve("policies");
    Files.createDirectories(policies.resolve("tenants"));
    Files.writeString(policies.resolve("default.yaml"), "", StandardCharsets.UTF_8);
    Files.writeString(
        policies.resolve("tenants/" + METERED + ".yaml"),
        "rate_limits: {tokens_per_minute: 100000}\n",
        StandardCharsets.UTF_8);
    gateway =
        GatewayFixture.start(
            dir,
            Map.of(
                "RATE_LIMIT_REQUESTS", Integer.toString(LIMIT),
                "RATE_LIMIT_WINDOW_MS", Long.toString(WINDOW_MS),
                "POLICY_DIR", policies.toString(),
                "PIPELINE_INSTANCE_ID", "pipeline-rate-limit-restart-1"),
            false);

    Map<String, Object> producerProps = new HashMap<>();
    producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, gateway.bootstrapServers());
    producerProps.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    producer =
        new KafkaProducer<>(
            producerProps,
            Topics.REQUESTS.keySerde().serializer(),
            Topics.REQUESTS.valueSerde().serializer());

    Map<String, Object> consumerProps = new HashMap<>();
    consumerProps.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, gateway.bootstrapServers());
    consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    consumerProps.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100);
    replies =
        new KafkaConsumer<>(consumerProps, new StringDeserializer(), new ByteArrayDeserializer());
    List<TopicPartition> partitions = List.of(new TopicPartition(Topics.REPLIES.name(), 1));
    replies.assign(partitions);
    replies.seekToBeginning(partitions);
  }

  @AfterAll
  static void stop() {
    if (replies != null) {
      replies.close();
    }
    if (producer != null) {
      producer.close(Duration.ofSeconds(5));
    }
    if (gateway != null) {
      gateway.close();
    }
  }

  @Test
  void theLedgersOutliveASigkillAndTheRestartedPipelineKeepsCounting() throws Exception {
    long firstSentNs = System.nanoTime();
    List<ReplyEnvelope> before = await(produce(LIMITED, LIMIT, null));
    assertThat(before).extracting(ReplyEnvelope::status).containsOnly(200).hasSize(LIMIT);
    assertThat(before.get(LIMIT - 1).rateLimits().remainingRequests()).isZero();
    // Two calls of the same shape: each reserves r, the first settled to u used before the second.
    ReplyEnvelope meteredFirst = await(produce(METERED, 1, 50)).get(0);
    ReplyEnvelope meteredSecond = await(produce(METERED, 1, 50)).get(0);
    assertThat(meteredFirst.status()).isEqualTo(200);
    assertThat(meteredSecond.status()).isEqualTo(200);
    long used =
        meteredFirst.rateLimits().remainingTokens() - meteredSecond.rateLimits().remainingTokens();
    assertThat(used).as("tokens the first call used").isPositive();

    // Every request's offset committed: the restarted pipeline does not read them again, so only
    // the restored changelog can tell it what was counted.
    gateway.awaitRequestsCommitted(Duration.ofSeconds(30));
    ChildProcess killed = gateway.pipeline();
    ProcessHandle.of(killed.pid()).orElseThrow().destroyForcibly();
    killed.onExit().get(30, TimeUnit.SECONDS);
    assertThat(ChildProcess.describeExit(killed.exitStatus())).contains("signal 9");
    ChildProcess restarted = gateway.startPipeline();
    gateway.replacePipeline(restarted);
    gateway.awaitPipelineReady(restarted);

    List<ReplyEnvelope> limitedAfter = await(produce(LIMITED, 3, null));
    List<ReplyEnvelope> otherAfter = await(produce(OTHER, LIMIT + 1, null));
    ReplyEnvelope meteredAfter = await(produce(METERED, 1, 50)).get(0);
    assumeTrue(
        System.nanoTime() - firstSentNs < TimeUnit.MILLISECONDS.toNanos(WINDOW_MS - 5_000),
        "SKIPPED: the restart took so long that the first requests left the 60 s window;"
            + " nothing can be said about the restored ledger on a machine this slow");

    assertThat(limitedAfter)
        .as("the tenant's window was used up before the kill")
        .allSatisfy(
            reply -> {
              assertThat(reply.status()).isEqualTo(429);
              assertThat(reply.error().code()).isEqualTo("rate_limited");
              assertThat(reply.error().reasons()).containsExactly("requests");
            });
    assertThat(otherAfter.subList(0, LIMIT))
        .as("another tenant has its whole limit")
        .extracting(ReplyEnvelope::status)
        .containsOnly(200);
    assertThat(otherAfter.get(LIMIT).status()).as("and no more").isEqualTo(429);
    assertThat(meteredAfter.status()).isEqualTo(200);
    assertThat(meteredAfter.rateLimits().remainingTokens())
        .as("both settled calls still count after the restart")
        .isEqualTo(meteredSecond.rateLimits().remainingTokens() - used);
  }

  /**
   * Produces {@code count} requests of {@code tenant} to {@code llm.requests}, as the ingress does
   * (key = tenant, a valid token), one after another on the tenant's partition.
   */
  private static List<String> produce(String tenant, int count, Integer maxTokens)
      throws Exception {
    String token = gateway.minter().mint(tenant, "rate-limit-test", Duration.ofMinutes(10));
    List<String> ids = new ArrayList<>();
    List<Future<RecordMetadata>> acks = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String requestId = RequestIds.next();
      ids.add(requestId);
      String body =
          maxTokens == null
              ? GatewayFixture.chatBody("hello")
              : "{\"model\":\"stub\",\"max_tokens\":"
                  + maxTokens
                  + ",\"messages\":[{\"role\":\"user\",\"content\":\"count my tokens\"}]}";
      RequestEnvelope envelope =
          new RequestEnvelope(
              RequestEnvelope.VERSION,
              requestId,
              tenant,
              token,
              new ReplyTo(Topics.REPLIES.name(), REPLY_PARTITION),
              null,
              null,
              null,
              null,
              Json.mapper().readTree(body));
      acks.add(producer.send(new ProducerRecord<>(Topics.REQUESTS.name(), tenant, envelope)));
    }
    for (Future<RecordMetadata> ack : acks) {
      ack.get(10, TimeUnit.SECONDS);
    }
    return ids;
  }

  /** The replies to {@code ids}, in the same order; a reply produced twice is read once. */
  private static List<ReplyEnvelope> await(List<String> ids) {
    long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!seen.keySet().containsAll(ids) && System.nanoTime() < giveUp) {
      for (ConsumerRecord<String, byte[]> record : replies.poll(Duration.ofMillis(100))) {
        seen.putIfAbsent(
            record.key(),
            Topics.REPLIES.valueSerde().deserializer().deserialize(record.topic(), record.value()));
      }
    }
    assertThat(seen.keySet())
        .as("replies within 60 s; pipeline alive: %s", gateway.pipeline().isAlive())
        .containsAll(ids);
    return ids.stream().map(seen::get).toList();
  }
}

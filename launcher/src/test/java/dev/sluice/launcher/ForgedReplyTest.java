package dev.sluice.launcher;

import static dev.sluice.launcher.GatewayFixture.chatBody;
import static dev.sluice.launcher.GatewayFixture.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.auth.TokenMinter;
import dev.sluice.schemas.Json;
import dev.sluice.schemas.envelope.ReplyNonce;
import dev.sluice.schemas.envelope.ReplyTo;
import dev.sluice.schemas.envelope.RequestEnvelope;
import dev.sluice.schemas.reply.ReplyEnvelope;
import dev.sluice.topics.Topics;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A forged refusal aimed at someone else's request, on a real broker: an attacker who can produce
 * to {@code llm.requests} and has seen a caller's in-flight request id sends an envelope under that
 * id. The pipeline refuses it (401, no tenant, since its credential is no good) and writes the
 * refusal to the partition the attacker named, where the caller's ingress reads. The caller must
 * still get its own answer: the forged refusal does not carry the nonce the caller's request sent.
 */
class ForgedReplyTest {
  /** Long enough that the forged refusals surely land before the caller's real answer. */
  private static final long STUB_DELAY_MS = 3_000;

  private static final String ACME = "acme";

  @TempDir static Path dir;

  private static GatewayFixture gateway;
  private static KafkaProducer<String, RequestEnvelope> attacker;
  private static KafkaConsumer<String, byte[]> requests;
  private static KafkaConsumer<String, byte[]> replies;

  @BeforeAll
  static void start() throws Exception {
    gateway =
        GatewayFixture.start(
            dir, Map.of("DEV_MODE", "false", "STUB_DELAY_MS", Long.toString(STUB_DELAY_MS)), true);

    Map<String, Object> producerProps = new HashMap<>();
    producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, gateway.bootstrapServers());
    producerProps.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    attacker =
        new KafkaProducer<>(
            producerProps,
            Topics.REQUESTS.keySerde().serializer(),
            Topics.REQUESTS.valueSerde().serializer());
    requests = readerAtEnd(Topics.REQUESTS.name());
    replies = readerAtEnd(Topics.REPLIES.name());
  }

  private static KafkaConsumer<String, byte[]> readerAtEnd(String topic) {
    Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, gateway.bootstrapServers());
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 50);
    KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    List<TopicPartition> partitions = new ArrayList<>();
    consumer
        .partitionsFor(topic)
        .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
    consumer.assign(partitions);
    consumer.seekToEnd(partitions);
    for (TopicPartition partition : partitions) {
      consumer.position(partition, Duration.ofSeconds(10));
    }
    return consumer;
  }

  @AfterAll
  static void stop() {
    if (requests != null) {
      requests.close();
    }
    if (replies != null) {
      replies.close();
    }
    if (attacker != null) {
      attacker.close(Duration.ofSeconds(5));
    }
    if (gateway != null) {
      gateway.close();
    }
  }

  @Test
  void theCallerGetsItsRealAnswerNotTheForgedRefusal() throws Exception {
    String alice = gateway.minter().mint(ACME, "alice", Duration.ofMinutes(10));
    CompletableFuture<HttpResponse<String>> call =
        gateway
            .http()
            .sendAsync(
                gateway
                    .request("/v1/chat/completions")
                    .header("Content-Type", "application/json")
                    .header("Authorization", "Bearer " + alice)
                    .POST(
                        HttpRequest.BodyPublishers.ofString(
                            chatBody("what is my balance?"), StandardCharsets.UTF_8))
                    .build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));

    // The attacker learns the caller's request id (from a log line or a shared trace, say); this
    // test reads it off the topic, and takes the reply partition too, which is one of six anyway.
    // Nothing else of the caller's envelope is used: the nonce stays the caller's.
    JsonNode victim = awaitEnvelope();
    String requestId = victim.path("requestId").asText();
    int partition = victim.path("replyTo").path("partition").asInt();

    String mallory =
        TokenMinter.hs256(
                "an-attacker-secret-that-is-32-bytes-or-more".getBytes(StandardCharsets.UTF_8))
            .mint("globex", "mallory", Duration.ofMinutes(10));
    // As a forger (or a pipeline from before the nonce) would write them: none, or its own.
    forge(requestId, mallory, new ReplyTo(Topics.REPLIES.name(), partition));
    forge(requestId, mallory, new ReplyTo(Topics.REPLIES.name(), partition, ReplyNonce.random()));

    List<ConsumerRecord<String, byte[]>> underTheId = awaitReplies(requestId, 3);
    // On the caller's partition, in this order: both forged refusals, then the real answer.
    assertThat(underTheId).extracting(ConsumerRecord::partition).containsOnly(partition);
    List<ReplyEnvelope> read = underTheId.stream().map(ForgedReplyTest::read).toList();
    assertThat(read).extracting(ReplyEnvelope::status).containsExactly(401, 401, 200);
    assertThat(read.get(0).tenant()).isNull();
    assertThat(read.get(0).error().code()).isEqualTo("invalid_token");
    assertThat(read.get(0).nonce()).isNull();
    assertThat(read.get(1).nonce()).isNotNull();
    assertThat(read.get(2).nonce()).isNotNull().isNotEqualTo(read.get(1).nonce());
    assertThat(read.get(2).nonce().value())
        .isEqualTo(victim.path("replyTo").path("nonce").asText());

    HttpResponse<String> answer = call.get(60, TimeUnit.SECONDS);
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
    assertThat(answer.headers().firstValue("x-request-id")).contains(requestId);
    assertThat(json(answer.body()).path("answer").asText()).isEqualTo("echo: what is my balance?");
    assertThat(answer.body()).doesNotContain(read.get(2).nonce().value());
  }

  private static void forge(String requestId, String credential, ReplyTo replyTo) throws Exception {
    RequestEnvelope forged =
        new RequestEnvelope(
            RequestEnvelope.VERSION,
            requestId,
            "globex",
            credential,
            replyTo,
            null,
            null,
            null,
            null,
            Json.mapper().readTree(chatBody("ignored")));
    attacker
        .send(new ProducerRecord<>(Topics.REQUESTS.name(), "globex", forged))
        .get(10, TimeUnit.SECONDS);
  }

  /** The next envelope the ingress publishes for tenant acme, as raw JSON. */
  private static JsonNode awaitEnvelope() {
    long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < giveUp) {
      for (ConsumerRecord<String, byte[]> record : requests.poll(Duration.ofMillis(100))) {
        if (ACME.equals(record.key())) {
          return json(new String(record.value(), StandardCharsets.UTF_8));
        }
      }
    }
    throw new AssertionError("the ingress published no envelope within 30 s");
  }

  /** Reads llm.replies until {@code count} records under {@code requestId} arrived, in order. */
  private static List<ConsumerRecord<String, byte[]>> awaitReplies(String requestId, int count) {
    List<ConsumerRecord<String, byte[]>> found = new ArrayList<>();
    long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (found.size() < count && System.nanoTime() < giveUp) {
      for (ConsumerRecord<String, byte[]> record : replies.poll(Duration.ofMillis(100))) {
        if (requestId.equals(record.key())) {
          found.add(record);
        }
      }
    }
    assertThat(found).as("replies under %s within 30 s", requestId).hasSize(count);
    return found;
  }

  private static ReplyEnvelope read(ConsumerRecord<String, byte[]> record) {
    return Topics.REPLIES.valueSerde().deserializer().deserialize(record.topic(), record.value());
  }
}

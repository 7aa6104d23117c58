package dev.sluice.launcher;

import static dev.sluice.launcher.GatewayFixture.chatBody;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.auth.TestTokens;
import dev.sluice.auth.TokenMinter;
import dev.sluice.schemas.Json;
import dev.sluice.schemas.RequestIds;
import dev.sluice.schemas.envelope.ReplyTo;
import dev.sluice.schemas.envelope.RequestEnvelope;
import dev.sluice.schemas.reply.Outcome;
import dev.sluice.schemas.reply.ReplyEnvelope;
import dev.sluice.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 * Envelopes produced straight to {@code llm.requests}, as a batch job or an attacker with produce
 * rights would: the ingress never saw them, so the pipeline alone must check the credential. Every
 * answer goes to the partition the envelope's {@code replyTo} names, and never carries the token.
 */
class ForgedEnvelopeTest {
  private static final int REPLY_PARTITION = 2;
  private static final String ACME = "acme";

  @TempDir static Path dir;

  private static GatewayFixture gateway;
  private static KafkaProducer<String, RequestEnvelope> producer;
  private static KafkaConsumer<String, byte[]> replies;
  private static final List<ConsumerRecord<String, byte[]>> seen = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    // Production mode: the fixed dev token is just another forged credential here.
    gateway = GatewayFixture.start(dir, Map.of("DEV_MODE", "false"), false);

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
    // Every partition is read, so a reply on the wrong one is seen (and fails) rather than missed.
    List<TopicPartition> partitions = new ArrayList<>();
    for (int p = 0; p < 6; p++) {
      partitions.add(new TopicPartition(Topics.REPLIES.name(), p));
    }
    replies.assign(partitions);
    replies.seekToEnd(partitions);
    for (TopicPartition partition : partitions) {
      replies.position(partition, Duration.ofSeconds(10));
    }
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
  void answersAValidTokenOnTheNamedPartition() throws Exception {
    String token = gateway.minter().mint(ACME, "batch-job", Duration.ofMinutes(10));
    String requestId = produce(ACME, token, "from a batch job");

    ConsumerRecord<String, byte[]> record = awaitReply(requestId);

    assertThat(record.partition()).isEqualTo(REPLY_PARTITION);
    ReplyEnvelope reply = read(record);
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(reply.tenant()).isEqualTo(ACME);
    assertThat(reply.completion().answer()).isEqualTo("echo: from a batch job");
    assertThat(reply.completion().meta().requestId()).isEqualTo(requestId);
    assertNoCredential(record, token);
  }

  /** Envelopes produced straight to the topic meet the same guardrails as HTTP callers. */
  @Test
  void theGuardrailsApplyToEnvelopesProducedStraightToTheTopic() throws Exception {
    String token = gateway.minter().mint(ACME, "batch-job", Duration.ofMinutes(10));
    String wrongModel =
        produceRequest(
            ACME,
            token,
            "{\"model\":\"gpt-5\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
    ReplyEnvelope refused = read(awaitReply(wrongModel));
    assertThat(refused.status()).isEqualTo(400);
    assertThat(refused.error().code()).isEqualTo("model_not_allowed");

    String suspended = gateway.minter().mint(ACME, "suspended", Duration.ofMinutes(10));
    ReplyEnvelope denied = read(awaitReply(produce(ACME, suspended, "batch line")));
    assertThat(denied.status()).isEqualTo(403);
    assertThat(denied.error().code()).isEqualTo("policy_denied");

    ReplyEnvelope redacted =
        read(awaitReply(produce(ACME, token, "write to jane.doe@example.com")));
    assertThat(redacted.status()).isEqualTo(200);
    assertThat(redacted.completion().answer()).isEqualTo("echo: write to [REDACTED:EMAIL]");
    assertThat(redacted.redactions()).containsEntry("EMAIL", 1);
  }

  @Test
  void refusesATokenSignedWithAnotherSecret() throws Exception {
    String forged =
        TokenMinter.hs256(
                "an-attacker-secret-that-is-32-bytes-or-more".getBytes(StandardCharsets.UTF_8))
            .mint(ACME, "mallory", Duration.ofMinutes(10));

    ReplyEnvelope reply = assertInvalidToken(ACME, forged);

    assertThat(reply.error().reasons()).containsExactly("bad signature");
  }

  @Test
  void refusesAnEnvelopeWhoseTenantIsNotTheTokens() throws Exception {
    String acmeToken = gateway.minter().mint(ACME, "batch-job", Duration.ofMinutes(10));

    ReplyEnvelope reply = assertInvalidToken("globex", acmeToken);

    assertThat(reply.error().reasons())
        .containsExactly("the envelope's tenant does not match its credential");
  }

  @Test
  void refusesAnExpiredToken() throws Exception {
    String expired =
        gateway
            .minter()
            .mint(
                ACME, "batch-job", Duration.ofMinutes(5), Instant.now().minus(Duration.ofHours(2)));

    ReplyEnvelope reply = assertInvalidToken(ACME, expired);

    assertThat(reply.error().reasons()).containsExactly("token expired");
  }

  @Test
  void refusesAnUnsignedToken() throws Exception {
    ReplyEnvelope reply =
        assertInvalidToken(
            ACME, TestTokens.unsigned(TestTokens.claims(ACME, null, Instant.now()).build()));

    assertThat(reply.error().reasons()).containsExactly("unsigned token");
  }

  @Test
  void refusesTheDevTokenOutsideDevMode() throws Exception {
    ReplyEnvelope reply = assertInvalidToken("dev", "dev-token");

    assertThat(reply.error().reasons()).containsExactly("malformed token");
  }

  private static ReplyEnvelope assertInvalidToken(String tenant, String token) throws Exception {
    String requestId = produce(tenant, token, "let me in");

    ConsumerRecord<String, byte[]> record = awaitReply(requestId);

    assertThat(record.partition()).isEqualTo(REPLY_PARTITION);
    ReplyEnvelope reply = read(record);
    assertThat(reply.requestId()).isEqualTo(requestId);
    assertThat(reply.status()).isEqualTo(401);
    assertThat(reply.outcome()).isEqualTo(Outcome.DENIED);
    assertThat(reply.completion()).isNull();
    assertThat(reply.error().code()).isEqualTo("invalid_token");
    assertThat(reply.error().type()).isEqualTo("authentication_error");
    assertThat(reply.error().requestId()).isEqualTo(requestId);
    assertNoCredential(record, token);
    return reply;
  }

  private static String produce(String tenant, String token, String text) throws Exception {
    return produceRequest(tenant, token, chatBody(text));
  }

  private static String produceRequest(String tenant, String token, String chatRequest)
      throws Exception {
    String requestId = RequestIds.next();
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
            Json.mapper().readTree(chatRequest));
    producer
        .send(new ProducerRecord<>(Topics.REQUESTS.name(), tenant, envelope))
        .get(10, TimeUnit.SECONDS);
    return requestId;
  }

  private static ConsumerRecord<String, byte[]> awaitReply(String requestId) {
    long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < giveUp) {
      for (ConsumerRecord<String, byte[]> record : seen) {
        if (requestId.equals(record.key())) {
          return record;
        }
      }
      replies.poll(Duration.ofMillis(100)).forEach(seen::add);
    }
    throw new AssertionError(
        "no reply to "
            + requestId
            + " within 30 s; pipeline alive: "
            + gateway.pipeline().isAlive());
  }

  private static ReplyEnvelope read(ConsumerRecord<String, byte[]> record) {
    return Topics.REPLIES.valueSerde().deserializer().deserialize(record.topic(), record.value());
  }

  private static void assertNoCredential(ConsumerRecord<String, byte[]> record, String token) {
    assertThat(new String(record.value(), StandardCharsets.UTF_8)).doesNotContain(token);
    record
        .headers()
        .forEach(
            header ->
                assertThat(new String(header.value(), StandardCharsets.UTF_8))
                    .doesNotContain(token));
  }
}

package dev.sluice.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.sluice.auth.TestTokens;
import dev.sluice.config.Env;
import dev.sluice.config.LogCapture;
import dev.sluice.config.WarningThrottle;
import dev.sluice.devkafka.LocalBroker;
import dev.sluice.egress.ProviderRouter;
import dev.sluice.egress.StubProvider;
import dev.sluice.pipeline.auth.EnvelopeAuthenticator;
import dev.sluice.pipeline.chain.CallBudget;
import dev.sluice.pipeline.provider.ModelChains;
import dev.sluice.pipeline.provider.ProviderStage;
import dev.sluice.schemas.RequestIds;
import dev.sluice.schemas.reply.ReplyEnvelope;
import dev.sluice.topics.JsonSerde;
import dev.sluice.topics.TopicProvisioner;
import dev.sluice.topics.TopicSettings;
import dev.sluice.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The topology on a real broker: the things {@link org.apache.kafka.streams.TopologyTestDriver}
 * cannot show. Replies land on the partition {@code replyTo} names, and token expiry is judged at
 * the broker's LogAppendTime, not at whatever timestamp the producer wrote.
 */
class GatewayOnBrokerTest {
  private static final String ACME = "acme";
  private static final int REPLY_PARTITION = 4;
  private static final JsonSerde<ReplyEnvelope> REPLY = JsonSerde.of(ReplyEnvelope.class);

  @TempDir static Path dir;

  private static LocalBroker broker;
  private static KafkaStreams streams;
  private static KafkaProducer<String, String> producer;
  private static KafkaConsumer<String, byte[]> consumer;
  private static final List<ConsumerRecord<String, byte[]>> seen = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    LocalBroker.guardJvmExit();
    broker = LocalBroker.start(dir.resolve("kafka"), LocalBroker.freePort());
    Map<String, Object> client = Map.of("bootstrap.servers", broker.bootstrapServers());
    try (Admin admin = Admin.create(client)) {
      TopicProvisioner.ensure(admin, new TopicSettings(6));
    }

    PipelineSettings settings =
        PipelineSettings.from(
            Env.of(
                Map.of(
                    "KAFKA_BOOTSTRAP_SERVERS",
                    broker.bootstrapServers(),
                    "DATA_DIR",
                    dir.resolve("data").toString(),
                    "STREAM_THREADS",
                    "1",
                    "PIPELINE_INSTANCE_ID",
                    "pipeline-broker-test")));
    Stages stages =
        new Stages(
            new EnvelopeAuthenticator(TestTokens.verifier(false)),
            List.of(
                new ProviderStage(
                    new ProviderRouter(List.of(new StubProvider(0))), ModelChains.none())),
            new CallBudget(64, 1_000, settings.providerDeadlineMs()),
            Duration.ofMillis(5),
            "LOCAL",
            Optional.empty());
    Properties props = StreamsProperties.requests(settings);
    // A frozen clock: after its first line the throttle holds every dead-letter warning back.
    props.put(
        DeadLetters.THROTTLE_CONFIG,
        new WarningThrottle(WarningThrottle.DEFAULT_INTERVAL, () -> 0L));
    streams = new KafkaStreams(GatewayTopology.build(new StreamsBuilder(), stages), props);
    streams.start();

    Map<String, Object> producerProps = new HashMap<>(client);
    producerProps.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    producer = new KafkaProducer<>(producerProps, new StringSerializer(), new StringSerializer());

    Map<String, Object> consumerProps = new HashMap<>(client);
    consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    consumer =
        new KafkaConsumer<>(consumerProps, new StringDeserializer(), new ByteArrayDeserializer());
    List<TopicPartition> partitions = new ArrayList<>();
    for (String topic : List.of(Topics.REPLIES.name(), Topics.DEAD_LETTERS.name())) {
      IntStream.range(0, 6).forEach(p -> partitions.add(new TopicPartition(topic, p)));
    }
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
  }

  @AfterAll
  static void stop() {
    if (consumer != null) {
      consumer.close();
    }
    if (producer != null) {
      producer.close();
    }
    if (streams != null) {
      streams.close(Duration.ofSeconds(10));
    }
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  void answersOnThePartitionTheEnvelopeNamed() throws Exception {
    String id = RequestIds.next();
    send(id, TestTokens.mint(ACME, Instant.now()), System.currentTimeMillis());

    ConsumerRecord<String, byte[]> reply = awaitRecord(Topics.REPLIES.name(), id);

    assertThat(reply.partition()).isEqualTo(REPLY_PARTITION);
    ReplyEnvelope envelope = REPLY.fromBytes(reply.value());
    assertThat(envelope.status()).isEqualTo(200);
    assertThat(envelope.completion().answer()).isEqualTo("echo: hello broker");
  }

  @Test
  void judgesExpiryAtTheBrokersTimeNotTheProducers() throws Exception {
    Instant now = Instant.now();
    // Valid now; the producer claims a time at which it had expired: ignored (LogAppendTime).
    String validNow = RequestIds.next();
    send(validNow, TestTokens.mint(ACME, now), now.minus(Duration.ofHours(2)).toEpochMilli());
    // Expired now; the producer claims a time at which it was valid: ignored as well.
    String expiredNow = RequestIds.next();
    String expired = TestTokens.mint(ACME, now.minus(Duration.ofHours(1)));
    send(expiredNow, expired, now.minus(Duration.ofMinutes(58)).toEpochMilli());

    assertThat(REPLY.fromBytes(awaitRecord(Topics.REPLIES.name(), validNow).value()).status())
        .isEqualTo(200);
    ConsumerRecord<String, byte[]> refused = awaitRecord(Topics.REPLIES.name(), expiredNow);
    ReplyEnvelope reply = REPLY.fromBytes(refused.value());
    assertThat(reply.status()).isEqualTo(401);
    assertThat(reply.error().reasons()).containsExactly("token expired");
    assertThat(new String(refused.value(), StandardCharsets.UTF_8)).doesNotContain(expired);
  }

  @Test
  void garbageOnTheRequestTopicIsNotedEachTimeAndLoggedOnceWithoutAStackTrace() throws Exception {
    String id = RequestIds.next();
    List<ILoggingEvent> lines;
    try (LogCapture logs = new LogCapture()) {
      for (int i = 0; i < 20; i++) {
        producer
            .send(new ProducerRecord<>(Topics.REQUESTS.name(), ACME, "{\"garbage\": " + i))
            .get(10, TimeUnit.SECONDS);
      }
      // Same key, same partition: once this is answered, the garbage before it was handled.
      send(id, TestTokens.mint(ACME, Instant.now()), System.currentTimeMillis());
      assertThat(REPLY.fromBytes(awaitRecord(Topics.REPLIES.name(), id).value()).status())
          .isEqualTo(200);
      lines = logs.warnings();
    }

    List<ILoggingEvent> fromTheGateway =
        lines.stream().filter(e -> e.getLoggerName().equals(DeadLetters.class.getName())).toList();
    assertThat(fromTheGateway).hasSize(1);
    assertThat(fromTheGateway.get(0).getThrowableProxy()).isNull();
    assertThat(LogCapture.value(fromTheGateway.get(0), "topic")).isEqualTo(Topics.REQUESTS.name());
    // Nothing else in the pipeline says it again, with or without a stack trace. (The broker
    // shares this JVM; its own lines are not the pipeline's.)
    assertThat(lines)
        .filteredOn(e -> e.getLoggerName().startsWith("org.apache.kafka.streams"))
        .isEmpty();
    assertThat(lines)
        .filteredOn(e -> e.getLoggerName().startsWith("org.apache.kafka.clients.consumer"))
        .isEmpty();
    assertThat(lines)
        .filteredOn(e -> e.getLoggerName().startsWith("dev.sluice"))
        .filteredOn(e -> e.getThrowableProxy() != null)
        .isEmpty();
  }

  private static void send(String requestId, String token, long timestampMs) throws Exception {
    var envelope = Envelopes.envelope(requestId, ACME, token, "stub", "hello broker");
    ((com.fasterxml.jackson.databind.node.ObjectNode) envelope.get("replyTo"))
        .put("partition", REPLY_PARTITION);
    producer
        .send(
            new ProducerRecord<>(
                Topics.REQUESTS.name(), null, timestampMs, ACME, Envelopes.json(envelope)))
        .get(10, TimeUnit.SECONDS);
  }

  private static ConsumerRecord<String, byte[]> awaitRecord(String topic, String key) {
    long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < giveUp) {
      for (ConsumerRecord<String, byte[]> record : seen) {
        if (record.topic().equals(topic) && key.equals(record.key())) {
          return record;
        }
      }
      consumer.poll(Duration.ofMillis(100)).forEach(seen::add);
    }
    throw new AssertionError(
        "no record "
            + key
            + " on "
            + topic
            + "; streams "
            + streams.state()
            + ", seen "
            + seen.stream().map(ConsumerRecord::key).collect(Collectors.toList()));
  }
}

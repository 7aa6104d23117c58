package dev.sluice.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.sluice.config.Env;
import dev.sluice.config.LogCapture;
import dev.sluice.config.WarningThrottle;
import dev.sluice.devkafka.LocalBroker;
import dev.sluice.schemas.envelope.ReplyNonce;
import dev.sluice.schemas.reply.ErrorCode;
import dev.sluice.schemas.reply.Outcome;
import dev.sluice.schemas.reply.ReplyEnvelope;
import dev.sluice.topics.TopicProvisioner;
import dev.sluice.topics.TopicSettings;
import dev.sluice.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reply reader on a real broker, with the consumer the ingress runs: what a flood of garbage on
 * {@code llm.replies} leaves in the log. Only a real consumer shows Kafka's own per-record line.
 */
class KafkaReplyInboxOnBrokerTest {
  @TempDir Path dir;

  @Test
  void aFloodOfGarbageRepliesLeavesOneLineWithoutAStackTrace() throws Exception {
    LocalBroker.guardJvmExit();
    try (LocalBroker broker = LocalBroker.start(dir.resolve("kafka"), LocalBroker.freePort())) {
      Map<String, Object> client = Map.of("bootstrap.servers", broker.bootstrapServers());
      try (Admin admin = Admin.create(client)) {
        TopicProvisioner.ensure(admin, new TopicSettings(1));
      }
      IngressSettings settings =
          IngressSettings.from(
              Env.of(Map.of("KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers())));
      WarningThrottle frozen = new WarningThrottle(WarningThrottle.DEFAULT_INTERVAL, () -> 0L);
      try (KafkaProducer<String, byte[]> producer =
              new KafkaProducer<>(client, new StringSerializer(), new ByteArraySerializer());
          KafkaReplyInbox inbox =
              new KafkaReplyInbox(
                  new KafkaConsumer<>(
                      IngressMain.consumerProperties(settings),
                      Topics.REPLIES.keySerde().deserializer(),
                      Topics.REPLIES.valueSerde().deserializer()),
                  Topics.REPLIES.name(),
                  List.of(0),
                  frozen);
          LogCapture logs = new LogCapture()) {
        ReplyNonce nonce = ReplyNonce.random();
        CompletableFuture<ReplyEnvelope> waiting = inbox.expect("r1", "acme", nonce, 30_000);
        for (int i = 0; i < 20; i++) {
          byte[] garbage = ("{\"requestId\": " + i).getBytes(StandardCharsets.UTF_8);
          producer.send(new ProducerRecord<>(Topics.REPLIES.name(), 0, "r" + i, garbage)).get();
        }
        ReplyEnvelope reply =
            new ReplyEnvelope(
                ReplyEnvelope.VERSION,
                "r1",
                "acme",
                Outcome.DENIED,
                401,
                null,
                ErrorCode.INVALID_TOKEN.error("denied").withRequestId("r1"),
                Map.of(),
                Map.of(),
                null,
                null,
                null,
                nonce);
        producer
            .send(
                new ProducerRecord<>(
                    Topics.REPLIES.name(),
                    0,
                    "r1",
                    Topics.REPLIES
                        .valueSerde()
                        .serializer()
                        .serialize(Topics.REPLIES.name(), reply)))
            .get();

        // Behind twenty unreadable records, the reader still delivers.
        assertThat(waiting.get(30, TimeUnit.SECONDS).status()).isEqualTo(401);
        List<ILoggingEvent> lines = logs.warnings(KafkaReplyInbox.class.getName());
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0).getThrowableProxy()).isNull();
        // Kafka's consumer would otherwise add an ERROR line per record before the reader sees it.
        assertThat(logs.warnings("org.apache.kafka.clients.consumer")).isEmpty();
        assertThat(logs.warnings("dev.sluice"))
            .filteredOn(e -> e.getThrowableProxy() != null)
            .isEmpty();
      }
    }
  }
}

package dev.sluice.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.sluice.config.LogCapture;
import dev.sluice.config.WarningThrottle;
import dev.sluice.schemas.envelope.ReplyNonce;
import dev.sluice.schemas.reply.ErrorCode;
import dev.sluice.schemas.reply.Outcome;
import dev.sluice.schemas.reply.ReplyEnvelope;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class KafkaReplyInboxTest {
  private static final String TOPIC = "llm.replies";

  /** The nonce every test request is sent with. */
  private static final ReplyNonce NONCE = ReplyNonce.random();

  private static ReplyEnvelope reply(String requestId, int status) {
    return reply(requestId, "acme", status);
  }

  private static ReplyEnvelope reply(String requestId, String tenant, int status) {
    return reply(requestId, tenant, status, NONCE);
  }

  private static ReplyEnvelope reply(
      String requestId, String tenant, int status, ReplyNonce nonce) {
    return new ReplyEnvelope(
        ReplyEnvelope.VERSION,
        requestId,
        tenant,
        Outcome.DENIED,
        status,
        null,
        ErrorCode.INVALID_TOKEN.error("denied").withRequestId(requestId),
        Map.of(),
        Map.of(),
        null,
        null,
        null,
        nonce);
  }

  private static MockConsumer<String, ReplyEnvelope> consumer(List<Integer> partitions) {
    MockConsumer<String, ReplyEnvelope> consumer = new MockConsumer<>("latest");
    Map<TopicPartition, Long> ends = new HashMap<>();
    for (int p : partitions) {
      ends.put(new TopicPartition(TOPIC, p), 0L);
    }
    consumer.updateEndOffsets(ends);
    return consumer;
  }

  @Test
  void handsTheFirstReplyToItsWaiterAndDropsTheDuplicate() throws Exception {
    MockConsumer<String, ReplyEnvelope> consumer = consumer(List.of(0, 1));
    try (KafkaReplyInbox inbox = new KafkaReplyInbox(consumer, TOPIC, List.of(0, 1))) {
      CompletableFuture<ReplyEnvelope> waiting = inbox.expect("r1", "acme", NONCE, 10_000);
      consumer.schedulePollTask(
          () -> {
            consumer.addRecord(new ConsumerRecord<>(TOPIC, 1, 0, "r1", reply("r1", 401)));
            consumer.addRecord(new ConsumerRecord<>(TOPIC, 1, 1, "r1", reply("r1", 500)));
            consumer.addRecord(new ConsumerRecord<>(TOPIC, 0, 0, "nobody", reply("nobody", 401)));
          });
      assertThat(waiting.get(5, TimeUnit.SECONDS).status()).isEqualTo(401);
      assertThat(inbox.waitingCount()).isZero();
    }
  }

  @Test
  void aWaitEndsWithATimeoutAndIsForgotten() {
    MockConsumer<String, ReplyEnvelope> consumer = consumer(List.of(0));
    try (KafkaReplyInbox inbox = new KafkaReplyInbox(consumer, TOPIC, List.of(0))) {
      CompletableFuture<ReplyEnvelope> waiting = inbox.expect("r2", "acme", NONCE, 50);
      assertThat(waiting)
          .failsWithin(Duration.ofSeconds(5))
          .withThrowableOfType(ExecutionException.class)
          .withCauseInstanceOf(TimeoutException.class);
      assertThat(inbox.waitingCount()).isZero();
    }
  }

  @Test
  void spreadsRepliesOverTheOwnedPartitions() {
    MockConsumer<String, ReplyEnvelope> consumer = consumer(List.of(2, 4));
    try (KafkaReplyInbox inbox = new KafkaReplyInbox(consumer, TOPIC, List.of(2, 4))) {
      assertThat(List.of(inbox.nextPartition(), inbox.nextPartition(), inbox.nextPartition()))
          .containsExactly(2, 4, 2);
    }
  }

  @Test
  void aReplyForAnotherTenantUnderTheSameIdIsNotHandedOver() throws Exception {
    MockConsumer<String, ReplyEnvelope> consumer = consumer(List.of(0));
    try (KafkaReplyInbox inbox = new KafkaReplyInbox(consumer, TOPIC, List.of(0))) {
      CompletableFuture<ReplyEnvelope> waiting = inbox.expect("r3", "acme", NONCE, 10_000);
      consumer.schedulePollTask(
          () -> {
            consumer.addRecord(new ConsumerRecord<>(TOPIC, 0, 0, "r3", reply("r3", "evil", 200)));
            consumer.addRecord(new ConsumerRecord<>(TOPIC, 0, 1, "r3", reply("r3", "acme", 401)));
          });
      assertThat(waiting.get(5, TimeUnit.SECONDS).tenant()).isEqualTo("acme");
    }
  }

  @Test
  void aForgedRefusalUnderTheSameIdIsDroppedAndTheRealReplyStillArrives() throws Exception {
    MockConsumer<String, ReplyEnvelope> consumer = consumer(List.of(0));
    ListAppender<ILoggingEvent> log = captureLog();
    try (KafkaReplyInbox inbox = new KafkaReplyInbox(consumer, TOPIC, List.of(0))) {
      CompletableFuture<ReplyEnvelope> waiting = inbox.expect("r5", "acme", NONCE, 10_000);
      consumer.schedulePollTask(
          () -> {
            // The pipeline's 401 to an envelope forged under r5: never verified, so no tenant,
            // and the forger's own nonce or none.
            consumer.addRecord(record(1, reply("r5", null, 401, ReplyNonce.random())));
            consumer.addRecord(record(2, reply("r5", null, 401, null)));
            consumer.addRecord(record(3, reply("r5", "acme", 200)));
          });
      ReplyEnvelope handed = waiting.get(5, TimeUnit.SECONDS);
      assertThat(handed.status()).isEqualTo(200);
      assertThat(inbox.unboundReplies()).isEqualTo(2);
      assertThat(inbox.waitingCount()).isZero();
    } finally {
      release(log);
    }
    List<ILoggingEvent> dropped =
        log.list.stream()
            .filter(e -> e.getFormattedMessage().contains("not bound to its request"))
            .toList();
    assertThat(dropped).hasSize(2);
    for (ILoggingEvent event : dropped) {
      String line = event.getFormattedMessage() + " " + event.getKeyValuePairs();
      assertThat(line).contains("r5").doesNotContain(NONCE.value());
    }
    assertThat(dropped.get(0).getKeyValuePairs().toString()).contains("another nonce");
    assertThat(dropped.get(1).getKeyValuePairs().toString()).contains("no nonce");
  }

  @Test
  void aReplyWithoutNonceNeverAnswersAWaiterThatSentOne() {
    // As from a pipeline older than the nonce: the caller times out rather than take it.
    MockConsumer<String, ReplyEnvelope> consumer = consumer(List.of(0));
    try (KafkaReplyInbox inbox = new KafkaReplyInbox(consumer, TOPIC, List.of(0))) {
      CompletableFuture<ReplyEnvelope> waiting = inbox.expect("r6", "acme", NONCE, 2_000);
      consumer.schedulePollTask(
          () -> consumer.addRecord(record(0, reply("r6", "acme", 200, null))));
      assertThat(waiting)
          .failsWithin(Duration.ofSeconds(10))
          .withThrowableOfType(ExecutionException.class)
          .withCauseInstanceOf(TimeoutException.class);
      assertThat(inbox.unboundReplies()).isEqualTo(1);
    }
  }

  @Test
  void aReplyWithTheRightNonceForAnotherTenantIsDropped() throws Exception {
    MockConsumer<String, ReplyEnvelope> consumer = consumer(List.of(0));
    try (KafkaReplyInbox inbox = new KafkaReplyInbox(consumer, TOPIC, List.of(0))) {
      CompletableFuture<ReplyEnvelope> waiting = inbox.expect("r7", "acme", NONCE, 10_000);
      consumer.schedulePollTask(
          () -> {
            consumer.addRecord(record(0, reply("r7", "globex", 200)));
            consumer.addRecord(record(1, reply("r7", "acme", 403)));
          });
      assertThat(waiting.get(5, TimeUnit.SECONDS).status()).isEqualTo(403);
      assertThat(inbox.unboundReplies()).isEqualTo(1);
    }
  }

  @Test
  void aReplyNobodyWaitsForIsNotCountedAsUnbound() throws Exception {
    MockConsumer<String, ReplyEnvelope> consumer = consumer(List.of(0));
    try (KafkaReplyInbox inbox = new KafkaReplyInbox(consumer, TOPIC, List.of(0))) {
      CompletableFuture<ReplyEnvelope> waiting = inbox.expect("r8", "acme", NONCE, 10_000);
      consumer.schedulePollTask(
          () -> {
            consumer.addRecord(record(0, reply("late", "acme", 200, null)));
            consumer.addRecord(record(1, reply("r8", "acme", 200)));
          });
      waiting.get(5, TimeUnit.SECONDS);
      assertThat(inbox.unboundReplies()).isZero();
    }
  }

  private static ConsumerRecord<String, ReplyEnvelope> record(long offset, ReplyEnvelope reply) {
    return new ConsumerRecord<>(TOPIC, 0, offset, reply.requestId(), reply);
  }

  private static ListAppender<ILoggingEvent> captureLog() {
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    ((Logger) LoggerFactory.getLogger(KafkaReplyInbox.class)).addAppender(appender);
    return appender;
  }

  private static void release(ListAppender<ILoggingEvent> appender) {
    ((Logger) LoggerFactory.getLogger(KafkaReplyInbox.class)).detachAppender(appender);
  }

  @Test
  void anUnreadableReplyIsSkippedAndTheReaderGoesOn() throws Exception {
    MockConsumer<String, ReplyEnvelope> consumer = consumer(List.of(0));
    try (KafkaReplyInbox inbox = new KafkaReplyInbox(consumer, TOPIC, List.of(0))) {
      CompletableFuture<ReplyEnvelope> waiting = inbox.expect("r4", "acme", NONCE, 10_000);
      TopicPartition partition = new TopicPartition(TOPIC, 0);
      consumer.schedulePollTask(
          () ->
              consumer.setPollException(
                  new RecordDeserializationException(partition, 0, "not a reply", null)));
      consumer.schedulePollTask(
          () -> consumer.addRecord(new ConsumerRecord<>(TOPIC, 0, 1, "r4", reply("r4", 401))));
      assertThat(waiting.get(5, TimeUnit.SECONDS).status()).isEqualTo(401);
      assertThat(inbox.alive()).isTrue();
    }
  }

  @Test
  void aFloodOfUnreadableRepliesIsLoggedOnceWithoutAStackTrace() throws Exception {
    MockConsumer<String, ReplyEnvelope> consumer = consumer(List.of(0));
    WarningThrottle frozen = new WarningThrottle(WarningThrottle.DEFAULT_INTERVAL, () -> 0L);
    TopicPartition partition = new TopicPartition(TOPIC, 0);
    try (LogCapture logs = new LogCapture();
        KafkaReplyInbox inbox = new KafkaReplyInbox(consumer, TOPIC, List.of(0), frozen)) {
      CompletableFuture<ReplyEnvelope> waiting = inbox.expect("r5", "acme", NONCE, 10_000);
      for (int i = 0; i < 20; i++) {
        long offset = i;
        consumer.schedulePollTask(
            () ->
                consumer.setPollException(
                    new RecordDeserializationException(partition, offset, "not a reply", null)));
      }
      consumer.schedulePollTask(
          () -> consumer.addRecord(new ConsumerRecord<>(TOPIC, 0, 20, "r5", reply("r5", 401))));

      assertThat(waiting.get(5, TimeUnit.SECONDS).status()).isEqualTo(401);
      List<ILoggingEvent> lines = logs.warnings();
      assertThat(lines).hasSize(1);
      assertThat(lines.get(0).getLoggerName()).isEqualTo(KafkaReplyInbox.class.getName());
      assertThat(lines.get(0).getThrowableProxy()).isNull();
      assertThat(LogCapture.value(lines.get(0), "offset")).isEqualTo(0L);
    }
  }
}

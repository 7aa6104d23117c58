package dev.sluice.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.ILoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.config.LogCapture;
import dev.sluice.config.WarningThrottle;
import dev.sluice.schemas.Json;
import dev.sluice.topics.Topics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DeadLettersTest {
  private static final byte[] PAYLOAD =
      "{\"credential\":\"eyJhbGciOiJIUzI1NiJ9.secret.sig\",\"request\":\"my prompt\"}"
          .getBytes(StandardCharsets.UTF_8);

  private final AtomicLong nanos = new AtomicLong();
  private final WarningThrottle throttle = new WarningThrottle(Duration.ofMinutes(1), nanos::get);
  private final DeadLetters handler = new DeadLetters();

  @BeforeEach
  void shareTheThrottle() {
    handler.configure(Map.of(DeadLetters.THROTTLE_CONFIG, throttle));
  }

  @Test
  void aFloodOfGarbageIsNotedRecordByRecordButLoggedOnceWithoutAStackTrace() {
    List<ProducerRecord<byte[], byte[]>> notes = new ArrayList<>();
    try (LogCapture logs = new LogCapture()) {
      for (int i = 0; i < 20; i++) {
        notes.addAll(
            handler
                .handleError(
                    context(),
                    new ConsumerRecord<>("llm.requests", 2, 41L + i, null, PAYLOAD),
                    new SerializationException("not a valid RequestEnvelope"))
                .deadLetterQueueRecords());
      }

      assertThat(notes).hasSize(20);
      List<ILoggingEvent> lines = logs.warnings();
      assertThat(lines).hasSize(1);
      ILoggingEvent line = lines.get(0);
      assertThat(line.getLoggerName()).isEqualTo(DeadLetters.class.getName());
      assertThat(line.getThrowableProxy()).isNull();
      assertThat(LogCapture.value(line, "topic")).isEqualTo("llm.requests");
      assertThat(LogCapture.value(line, "reason"))
          .isEqualTo("unreadable record: SerializationException");
      assertThat(LogCapture.value(line, "unloggedSinceLast")).isEqualTo(0L);
    }
  }

  @Test
  void theNextLineAMinuteLaterCountsWhatWasNotLogged() {
    try (LogCapture logs = new LogCapture()) {
      for (int i = 0; i < 5; i++) {
        unreadable();
      }
      nanos.addAndGet(Duration.ofMinutes(1).toNanos());
      unreadable();

      List<ILoggingEvent> lines = logs.warningsFrom(DeadLetters.class);
      assertThat(lines).hasSize(2);
      assertThat(LogCapture.value(lines.get(1), "unloggedSinceLast")).isEqualTo(4L);
    }
  }

  @Test
  void processingFailuresAreLoggedApartFromUnreadableRecords() {
    try (LogCapture logs = new LogCapture()) {
      unreadable();
      unreadable();
      handler.handleError(
          context(), new Record<>("acme", "value", 0L), new IllegalStateException());
      handler.handleError(
          context(), new Record<>("acme", "value", 0L), new IllegalStateException());

      assertThat(logs.warningsFrom(DeadLetters.class))
          .extracting(e -> LogCapture.value(e, "reason"))
          .containsExactly(
              "unreadable record: SerializationException",
              "processing failed: IllegalStateException");
    }
  }

  private void unreadable() {
    handler.handleError(
        context(),
        new ConsumerRecord<>("llm.requests", 2, 41L, null, PAYLOAD),
        new SerializationException("not a valid RequestEnvelope"));
  }

  @Test
  void resumesAfterAnUnreadableRecordWithANoteAndNoPayload() throws IOException {
    DeserializationExceptionHandler.Response response =
        handler.handleError(
            context(),
            new ConsumerRecord<>(
                "llm.requests", 2, 41L, "acme".getBytes(StandardCharsets.UTF_8), PAYLOAD),
            new SerializationException("not a valid RequestEnvelope"));

    assertThat(response.result()).isEqualTo(DeserializationExceptionHandler.Result.RESUME);
    assertThat(response.deadLetterQueueRecords()).hasSize(1);
    ProducerRecord<byte[], byte[]> note = response.deadLetterQueueRecords().get(0);
    assertNote(note, "unreadable record: SerializationException");
  }

  @Test
  void resumesAfterAProcessingFailureWithANoteAndNoPayload() throws IOException {
    ProcessingExceptionHandler.Response response =
        handler.handleError(
            context(),
            new Record<>("acme", "value", 0L),
            new IllegalStateException("boom with my prompt"));

    assertThat(response.result()).isEqualTo(ProcessingExceptionHandler.Result.RESUME);
    assertThat(response.deadLetterQueueRecords()).hasSize(1);
    ProducerRecord<byte[], byte[]> note = response.deadLetterQueueRecords().get(0);
    assertNote(note, "processing failed: IllegalStateException");
  }

  private static void assertNote(ProducerRecord<byte[], byte[]> note, String reason)
      throws IOException {
    assertThat(note.topic()).isEqualTo(Topics.DEAD_LETTERS.name());
    assertThat(note.key()).isNull();
    JsonNode value = Json.mapper().readTree(note.value());
    assertThat(value.path("reason").asText()).isEqualTo(reason);
    assertThat(value.path("sourceTopic").asText()).isEqualTo("llm.requests");
    assertThat(value.path("partition").asInt()).isEqualTo(2);
    assertThat(value.path("offset").asLong()).isEqualTo(41L);
    assertThat(header(note.headers(), "sluice.dlq.reason")).isEqualTo(reason);
    assertThat(header(note.headers(), "sluice.dlq.topic")).isEqualTo("llm.requests");
    assertThat(header(note.headers(), "sluice.dlq.partition")).isEqualTo("2");
    assertThat(header(note.headers(), "sluice.dlq.offset")).isEqualTo("41");
    assertThat(header(note.headers(), "sluice.dlq.processor")).isEqualTo("http-requests");
    String all = new String(note.value(), StandardCharsets.UTF_8) + note.headers();
    assertThat(all).doesNotContain("secret").doesNotContain("prompt").doesNotContain("eyJ");
  }

  private static String header(Headers headers, String key) {
    return new String(headers.lastHeader(key).value(), StandardCharsets.UTF_8);
  }

  private static ErrorHandlerContext context() {
    return new ErrorHandlerContext() {
      @Override
      public String topic() {
        return "llm.requests";
      }

      @Override
      public int partition() {
        return 2;
      }

      @Override
      public long offset() {
        return 41L;
      }

      @Override
      public Headers headers() {
        return new RecordHeaders();
      }

      @Override
      public String processorNodeId() {
        return "http-requests";
      }

      @Override
      public TaskId taskId() {
        return new TaskId(0, 2);
      }

      @Override
      public long timestamp() {
        return 0L;
      }

      @Override
      public byte[] sourceRawKey() {
        return "acme".getBytes(StandardCharsets.UTF_8);
      }

      @Override
      public byte[] sourceRawValue() {
        return PAYLOAD.clone();
      }
    };
  }
}

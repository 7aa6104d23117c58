package dev.sluice.pipeline;

import dev.sluice.config.WarningThrottle;
import dev.sluice.schemas.deadletter.DeadLetter;
import dev.sluice.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens to a record the pipeline cannot handle: it is never silently dropped and never stops
 * the application. A note goes to {@code llm.deadletter} saying where the record is and why it
 * failed. The payload is not copied (it may hold a credential or a prompt); it stays on its source
 * topic for that topic's retention.
 *
 * <p>Every such record gets its note, but not its own log line: anyone who can produce to a topic
 * can send garbage by the million. One WARN line per topic and kind of failure is let through per
 * minute, without a stack trace (the exception's class is the reason), saying how many were held
 * back since the previous one. Streams builds a handler per task, so the throttle is shared through
 * the application's configuration ({@link #THROTTLE_CONFIG}) to hold per topic, not per partition.
 */
public final class DeadLetters
    implements DeserializationExceptionHandler, ProcessingExceptionHandler {
  private static final Logger LOGGER = LoggerFactory.getLogger(DeadLetters.class);

  /**
   * The Streams configuration entry holding the application's {@link WarningThrottle} (an object,
   * not a string; {@link StreamsProperties} sets it). Without one each handler throttles alone.
   */
  public static final String THROTTLE_CONFIG = "sluice.dead.letters.warning.throttle";

  private WarningThrottle throttle = new WarningThrottle();

  @Override
  public void configure(Map<String, ?> configs) {
    if (configs.get(THROTTLE_CONFIG) instanceof WarningThrottle shared) {
      throttle = shared;
    }
  }

  @Override
  public DeserializationExceptionHandler.Response handleError(
      ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception exception) {
    return DeserializationExceptionHandler.Response.resume(
        List.of(note(context, "unreadable record", exception)));
  }

  @Override
  public ProcessingExceptionHandler.Response handleError(
      ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
    return ProcessingExceptionHandler.Response.resume(
        List.of(note(context, "processing failed", exception)));
  }

  private ProducerRecord<byte[], byte[]> note(
      ErrorHandlerContext context, String what, Exception exception) {
    // The exception's class, never its message or stack: either may quote the input.
    String reason = what + ": " + exception.getClass().getSimpleName();
    OptionalLong heldBack = throttle.admit(context.topic() + " " + what);
    if (heldBack.isPresent()) {
      LOGGER
          .atWarn()
          .addKeyValue("topic", context.topic())
          .addKeyValue("partition", context.partition())
          .addKeyValue("offset", context.offset())
          .addKeyValue("processor", context.processorNodeId())
          .addKeyValue("reason", reason)
          .addKeyValue("unloggedSinceLast", heldBack.getAsLong())
          .log(
              "record sent to dead letters; more like it are noted there but logged once a minute");
    }
    RecordHeaders headers = new RecordHeaders();
    headers.add("sluice.dlq.reason", utf8(reason));
    headers.add("sluice.dlq.topic", utf8(context.topic()));
    headers.add("sluice.dlq.partition", utf8(Integer.toString(context.partition())));
    headers.add("sluice.dlq.offset", utf8(Long.toString(context.offset())));
    headers.add("sluice.dlq.processor", utf8(String.valueOf(context.processorNodeId())));
    DeadLetter letter =
        DeadLetter.of(
            null,
            reason,
            context.topic(),
            context.partition(),
            context.offset(),
            String.valueOf(context.processorNodeId()));
    byte[] value = Topics.DEAD_LETTERS.valueSerde().serializer().serialize(topic(), letter);
    return new ProducerRecord<>(topic(), null, null, null, value, headers);
  }

  private static String topic() {
    return Topics.DEAD_LETTERS.name();
  }

  private static byte[] utf8(String value) {
    return value == null ? new byte[0] : value.getBytes(StandardCharsets.UTF_8);
  }
}

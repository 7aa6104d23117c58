package dev.sluice.topics;

import dev.sluice.schemas.audit.AuditRecord;
import dev.sluice.schemas.deadletter.DeadLetter;
import dev.sluice.schemas.envelope.RequestEnvelope;
import dev.sluice.schemas.reply.ReplyEnvelope;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;

/** The gateway's topics and the configs they are created with (docs/contracts.md explains them). */
public final class Topics {
  private Topics() {}

  /** Largest message a topic accepts: a 1 MiB body plus its envelope fits with room to spare. */
  public static final int MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

  public static final String COMPRESSION = "lz4";

  private static final long MINUTE_MS = 60L * 1000;
  private static final long HOUR_MS = 60 * MINUTE_MS;
  private static final long DAY_MS = 24 * HOUR_MS;

  /**
   * How long {@code llm.requests} keeps a request by default: one hour. Every envelope holds its
   * caller's credential (the pipeline verifies it again), and the pipeline reads a request within
   * milliseconds; an hour still covers a pipeline that is down for a while. {@code
   * REQUESTS_RETENTION_MS} changes it ({@link TopicSettings}).
   */
  public static final long DEFAULT_REQUESTS_RETENTION_MS = HOUR_MS;

  /**
   * Synchronous callers' requests, key = claimed tenant. Holds credentials, so kept briefly ({@link
   * #requestsConfigs}); the broker stamps each record's time so token expiry is judged at the
   * moment it was accepted.
   */
  public static final Topic<String, RequestEnvelope> REQUESTS =
      new Topic<>(
          "llm.requests",
          Serdes.String(),
          JsonSerde.of(RequestEnvelope.class),
          requestsConfigs(DEFAULT_REQUESTS_RETENTION_MS));

  /**
   * Batch jobs' requests, key = claimed tenant: the same envelope as {@link #REQUESTS}, read by a
   * sub-topology of its own (its own tasks and in-flight budget, so a batch backlog never delays an
   * interactive request, and its requests are {@code Source.BATCH} because of the topic they came
   * from, never because of a field). Kept a day, a batch's completion window; the broker stamps
   * each record's time, as on {@link #REQUESTS}.
   */
  public static final Topic<String, RequestEnvelope> BATCH_REQUESTS =
      new Topic<>(
          "llm.batch.requests",
          Serdes.String(),
          JsonSerde.of(RequestEnvelope.class),
          requestsConfigs(DAY_MS));

  /**
   * How long {@code llm.replies} keeps an answer: a day. The pipeline's reply store keeps each
   * answer as long, so a caller can fetch it by request id until it would be gone from the topic.
   */
  public static final long REPLIES_RETENTION_MS = DAY_MS;

  /** Answers, key = request id; each ingress instance reads only the partitions it owns. */
  public static final Topic<String, ReplyEnvelope> REPLIES =
      new Topic<>(
          "llm.replies",
          Serdes.String(),
          JsonSerde.of(ReplyEnvelope.class),
          configs(REPLIES_RETENTION_MS, Map.of()));

  /** The hash-chained decision log, key = tenant. Kept forever. */
  public static final Topic<String, AuditRecord> AUDIT =
      new Topic<>(
          "llm.audit", Serdes.String(), JsonSerde.of(AuditRecord.class), configs(-1, Map.of()));

  /**
   * Decisions on their way to the audit log, key = tenant: the request path writes them, the audit
   * application chains them into {@code llm.audit}. No prompt, completion or credential.
   */
  public static final Topic<String, AuditRecord> AUDIT_DECISIONS =
      new Topic<>(
          "llm.audit.decisions",
          Serdes.String(),
          JsonSerde.of(AuditRecord.class),
          configs(7 * DAY_MS, Map.of()));

  /**
   * Records the pipeline could not read, with the reason in headers and without their payload
   * (which may hold a credential; it stays on its source topic for its retention).
   */
  public static final Topic<String, DeadLetter> DEAD_LETTERS =
      new Topic<>(
          "llm.deadletter",
          Serdes.String(),
          JsonSerde.of(DeadLetter.class),
          configs(7 * DAY_MS, Map.of()));

  /** Every topic the gateway creates when missing. */
  public static List<Topic<?, ?>> all() {
    return List.of(REQUESTS, BATCH_REQUESTS, REPLIES, AUDIT, AUDIT_DECISIONS, DEAD_LETTERS);
  }

  /**
   * The configs of {@code llm.requests} when it keeps requests for {@code retentionMs}. Kafka
   * deletes whole segments, each once its newest record is past {@code retention.ms}, and by
   * default a segment takes new records for 7 days (or 1 GiB): a topic in steady use would keep
   * credentials for a week whatever the retention says. Segments roll at a sixth of the retention
   * (at least a minute), so a request is gone within about 1.2 times the retention plus the
   * broker's retention check interval (5 minutes by default).
   */
  public static Map<String, String> requestsConfigs(long retentionMs) {
    return configs(
        retentionMs,
        Map.of(
            "message.timestamp.type",
            "LogAppendTime",
            "segment.ms",
            Long.toString(Math.max(MINUTE_MS, retentionMs / 6))));
  }

  private static Map<String, String> configs(long retentionMs, Map<String, String> extra) {
    Map<String, String> configs = new HashMap<>();
    configs.put("retention.ms", Long.toString(retentionMs));
    configs.put("max.message.bytes", Integer.toString(MAX_MESSAGE_BYTES));
    configs.put("compression.type", COMPRESSION);
    configs.putAll(extra);
    return configs;
  }
}

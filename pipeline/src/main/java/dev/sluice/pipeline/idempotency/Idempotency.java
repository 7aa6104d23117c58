package dev.sluice.pipeline.idempotency;

import dev.sluice.pipeline.reply.ReplyStore;
import dev.sluice.schemas.Json;
import dev.sluice.schemas.envelope.VerifiedRequest;
import dev.sluice.schemas.reply.ReplyEnvelope;
import dev.sluice.topics.JsonSerde;
import dev.sluice.topics.Topics;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * Idempotent requests: a caller that sends an {@code Idempotency-Key} header gets, for a repeat of
 * the same body under the same key, the first call's answer, and the provider is called once.
 *
 * <ul>
 *   <li>A key is scoped to (tenant, subject, key): another tenant's or subject's key never matches.
 *       Requests are keyed by tenant, so one stream task sees every request of a tenant and decides
 *       alone, exactly, from a store of its own ({@link #STORE_SUFFIX}, RocksDB, changelogged).
 *   <li>A repeat with the same body (SHA-256 of the request as read) gets the first call's reply
 *       under its own request id, read from the reply store ({@link ReplyStore}) of the same task;
 *       while the first call runs, the repeat waits for it ({@link IdempotencyGate}, {@link
 *       IdempotencyRecorder}). A repeat with another body gets 422 {@code idempotency_key_reused}.
 *   <li>Only answers worth repeating are kept: a first call that failed on the gateway's or the
 *       provider's side (5xx), was rate-limited (429) or met a 408 or 409 leaves no entry, so a
 *       retry runs anew; its waiters get the same failure. A first call still running after {@link
 *       #PENDING_MAX} is taken for lost, and a repeat runs anew.
 *   <li>At most {@link #MAX_WAITERS} repeats wait for one first call. A reply too large for the
 *       reply store is answered once, and a repeat of it runs anew.
 *   <li>Entries are kept for {@link #KEEP}.
 * </ul>
 *
 * Only interactive (HTTP) requests take part: batch lines have their own replay rule.
 */
public final class Idempotency {
  private Idempotency() {}

  /** Suffix of a sub-topology's store: {@code http-idempotency}. */
  public static final String STORE_SUFFIX = "-idempotency";

  /**
   * How long a key and its answer are kept. SDKs retry within seconds and jobs restart within
   * minutes; a longer window would make every moved task restore more replies before it serves any
   * request, keyed or not.
   */
  public static final Duration KEEP = Duration.ofHours(1);

  /**
   * How long a first call may run before a repeat runs anew instead of waiting: six times the
   * default request deadline ({@code REQUEST_TIMEOUT_MS}, 60 s), room for deadlines of up to five
   * minutes.
   */
  public static final Duration PENDING_MAX = Duration.ofMinutes(6);

  /** How often expired entries are deleted: a sweep reads every entry of the task's store. */
  static final Duration SWEEP_INTERVAL = Duration.ofMinutes(10);

  /**
   * Repeats that may wait for one first call; more are refused (409 {@code duplicate_request}), so
   * a caller hammering one key cannot grow its entry without bound.
   */
  static final int MAX_WAITERS = 64;

  /** The store of a sub-topology's keys. */
  public static StoreBuilder<KeyValueStore<String, IdempotencyEntry>> store(String prefix) {
    return Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(prefix + STORE_SUFFIX),
            Serdes.String(),
            JsonSerde.of(IdempotencyEntry.class))
        .withLoggingEnabled(
            Map.of(
                // Compacted, and deleted past twice the keep time, so no answer outlives it long.
                "cleanup.policy",
                "compact,delete",
                "retention.ms",
                Long.toString(2 * KEEP.toMillis()),
                "segment.ms",
                Long.toString(KEEP.toMillis() / 4),
                "max.message.bytes",
                Integer.toString(Topics.MAX_MESSAGE_BYTES)));
  }

  /** The store key of a request's Idempotency-Key, or null when it has none. */
  static String scope(VerifiedRequest request) {
    if (request.idempotencyKey() == null || request.idempotencyKey().isEmpty()) {
      return null;
    }
    // NUL cannot be in a tenant, a subject or a header value, so the parts cannot run together.
    return request.principal().tenant()
        + '\u0000'
        + request.principal().subject()
        + '\u0000'
        + request.idempotencyKey();
  }

  /** Hex SHA-256 of the request as the gateway read it: its model, messages, tools and options. */
  static String bodySha256(VerifiedRequest request) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      return HexFormat.of()
          .formatHex(sha.digest(Json.mapper().writeValueAsBytes(request.request())));
    } catch (NoSuchAlgorithmException | com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("the request could not be hashed", e);
    }
  }

  /** Whether a first call's reply is repeated: not a failure or a rate limit. */
  static boolean worthRepeating(ReplyEnvelope reply) {
    // Nor a 408 or a 409: they say something about the moment (a timeout, an id seen just now),
    // not about the request.
    return reply.status() < 500
        && reply.status() != 429
        && reply.status() != 408
        && reply.status() != 409;
  }
}

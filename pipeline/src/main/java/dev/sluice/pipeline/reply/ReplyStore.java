package dev.sluice.pipeline.reply;

import dev.sluice.schemas.reply.ReplyEnvelope;
import dev.sluice.topics.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.ReadOnlyWindowStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * The reply store: every reply a request sub-topology settles, kept by request id for as long as
 * {@code llm.replies} keeps it ({@link Topics#REPLIES_RETENTION_MS}), so that any ingress instance
 * can fetch an answer it never waited for (a caller's {@code GET /v1/requests/{id}} after a 504,
 * through {@link ReplyLookup}), and idempotent repeats are answered from the first call's reply.
 *
 * <ul>
 *   <li>A reply is kept under its tenant and request id ({@link #key}), and only when its request's
 *       principal was verified: a forged envelope reusing another tenant's request id, or one that
 *       failed authentication, can neither replace nor shadow the reply its id's caller gets.
 *   <li>It lives beside the requests it answers: requests are keyed by tenant, so a tenant's
 *       replies are in the store of the one task that serves that tenant, which the idempotency
 *       gate reads in place and {@link ReplyLookup} finds by the tenant's key.
 *   <li>A window store, not a key-value store: its segments expire whole once older than the
 *       retention, so keeping a day of replies costs no sweep and no tombstone per request. The
 *       window is the moment the reply was kept; a request settled twice (its record read again
 *       after a crash) has two entries, and the first is the answer ({@link #first}).
 *   <li>The value is the reply as written to {@code llm.replies} without its nonce ({@link
 *       ReplyKeeper}). Replies over {@link #MAX_KEPT_BYTES} are answered but not kept.
 * </ul>
 */
public final class ReplyStore {
  private ReplyStore() {}

  /** Suffix of a sub-topology's store: {@code http-replies}, {@code batch-replies}. */
  public static final String STORE_SUFFIX = "-replies";

  /** How long a reply is kept: as long as {@code llm.replies} keeps it. */
  public static final Duration KEEP = Duration.ofMillis(Topics.REPLIES_RETENTION_MS);

  /**
   * The largest reply kept: a changelog record also carries its key and window, and must fit the
   * topic's {@link Topics#MAX_MESSAGE_BYTES}.
   */
  static final int MAX_KEPT_BYTES = Topics.MAX_MESSAGE_BYTES - 64 * 1024;

  /** The store of a sub-topology's replies. */
  public static StoreBuilder<WindowStore<String, byte[]>> store(String prefix) {
    return Stores.windowStoreBuilder(
            Stores.persistentWindowStore(prefix + STORE_SUFFIX, KEEP, Duration.ofMillis(1), false),
            Serdes.String(),
            Serdes.ByteArray())
        .withLoggingEnabled(
            Map.of(
                // Every key is a request id seen once: compaction would find nothing to drop.
                "cleanup.policy",
                "delete",
                // A little past the store's own retention, so a restore finds every kept reply.
                "retention.ms",
                Long.toString(KEEP.toMillis() + Duration.ofHours(1).toMillis()),
                "segment.ms",
                Long.toString(Duration.ofHours(1).toMillis()),
                "max.message.bytes",
                Integer.toString(Topics.MAX_MESSAGE_BYTES)));
  }

  /** A kept reply, read back. */
  public static ReplyEnvelope reply(byte[] kept) {
    return Topics.REPLIES.valueSerde().deserializer().deserialize(Topics.REPLIES.name(), kept);
  }

  /** The store key of a tenant's request: NUL cannot be in a tenant, so the parts cannot blur. */
  public static String key(String tenant, String requestId) {
    return tenant + '\u0000' + requestId;
  }

  /**
   * The first reply kept for {@code tenant}'s {@code requestId}, or null: the answer its caller was
   * given.
   */
  public static byte[] first(
      ReadOnlyWindowStore<String, byte[]> store, String tenant, String requestId, long nowMs) {
    Instant now = Instant.ofEpochMilli(nowMs);
    // The store's windows are its own clock's; a minute either way covers a clock step.
    try (WindowStoreIterator<byte[]> kept =
        store.fetch(
            key(tenant, requestId), now.minus(KEEP).minusSeconds(60), now.plusSeconds(60))) {
      if (kept.hasNext()) {
        KeyValue<Long, byte[]> first = kept.next();
        return first.value;
      }
      return null;
    }
  }
}

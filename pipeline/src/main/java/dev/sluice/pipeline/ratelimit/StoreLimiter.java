package dev.sluice.pipeline.ratelimit;

import dev.sluice.pipeline.ratelimit.LimitDecision.Allowed;
import dev.sluice.pipeline.ratelimit.LimitDecision.AlreadySettled;
import dev.sluice.pipeline.ratelimit.TenantLimiter.MultiDecision;
import dev.sluice.policy.RateLimits;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The default limiter: ledgers in a changelogged store of the stream task that owns the tenant.
 * Requests are keyed by tenant and the pipeline refuses a record filed under another key, so one
 * task sees all of a tenant's requests from one request topic and decides alone: exact, with no
 * network call, and a restarted or moved task restores its ledgers from the changelog.
 *
 * <p>The stores are read only when the task starts; between, the ledgers are kept as objects, as
 * the in-flight store's entries are, and what changed is written once per commit of the task
 * ({@link #flush}, which the chain calls at the start of each commit, before the input offsets are
 * committed): a changed ledger once, however many requests changed it, and the request ids settled
 * since the last commit as one record (or a few), not one record per id and not in the ledgers, so
 * a busy tenant's ledger stays a few hundred bytes. A record of settled ids is deleted once all of
 * them are older than {@code settledKeepMs}, so a restored task knows the ids settled in that
 * window, the records it reads again (their offsets were not committed) among them. Ledgers that no
 * longer count anything are dropped by {@link #prune}, run from a wall-clock punctuator.
 *
 * <p>Runs on the stream thread only: every future it returns is already complete.
 */
public final class StoreLimiter implements Limiter {
  /** Suffix of a sub-topology's ledger store: {@code http-rate-limits}. */
  public static final String LEDGERS_SUFFIX = "-rate-limits";

  /**
   * Suffix of its store of recently settled request ids, one record per commit: {@code
   * http-rate-limit-settled-ids}.
   */
  public static final String SETTLED_SUFFIX = "-rate-limit-settled-ids";

  // A commit's settled ids go in records of at most this many (about 50 KB), far under a record's
  // size limit however busy the task.
  static final int IDS_PER_RECORD = 1_000;

  private final TenantLimiter rules;
  private final long settledKeepMs;
  private final KeyValueStore<String, TenantLedger> ledgerStore;
  private final KeyValueStore<String, Map<String, Long>> settledStore;
  private final LongSupplier clock;
  private final Map<String, TenantLedger> ledgers = new HashMap<>();
  private final Set<String> dirty = new HashSet<>();
  // Held without an object per id (SettledIds says why); the store keeps them as records.
  private final SettledIds settled = new SettledIds();
  private final Map<String, Long> settledSinceFlush = new LinkedHashMap<>();
  // The store's records of settled ids, oldest first; keyed "<flush>:<part>".
  private final ArrayDeque<SettledRecord> settledRecords = new ArrayDeque<>();
  private long nextFlush;

  /** A record of the settled-id store and its newest id's time. */
  private record SettledRecord(String key, long newestMs) {
    static SettledRecord of(String key, Map<String, Long> ids) {
      return new SettledRecord(
          key, ids.values().stream().mapToLong(Long::longValue).max().orElse(0));
    }

    /** The flush that wrote it: keys are {@code <flush>:<part>}. */
    long flush() {
      return Long.parseLong(key.substring(0, key.indexOf(':')));
    }
  }

  /**
   * @param reservationMaxAgeMs when an unsettled reservation is given up (its settlement was lost)
   * @param settledKeepMs how long a settled id is remembered, so a record processed again after a
   *     crash is not counted again; a few commit intervals
   * @param clock the stream's wall-clock time ({@code context.currentSystemTimeMs()})
   */
  public StoreLimiter(
      long reservationMaxAgeMs,
      long settledKeepMs,
      KeyValueStore<String, TenantLedger> ledgerStore,
      KeyValueStore<String, Map<String, Long>> settledStore,
      LongSupplier clock) {
    // The ledgers keep no settled ids: the store of settled ids does, so a ledger does not change
    // (and is not copied) when an id would have left it.
    this.rules = new TenantLimiter(0, reservationMaxAgeMs);
    this.settledKeepMs = settledKeepMs;
    this.ledgerStore = ledgerStore;
    this.settledStore = settledStore;
    this.clock = clock;
    restore();
  }

  /** The two stores of the sub-topology named {@code prefix}, changelogged. */
  public static List<StoreBuilder<?>> stores(String prefix) {
    return List.of(
        Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(prefix + LEDGERS_SUFFIX),
                Serdes.String(),
                new LedgerSerde())
            // Not cached: it is written once per commit, from the chain's commit hook, and a cache
            // flushed before the hook ran would hold the write back until the next commit.
            .withCachingDisabled()
            .withLoggingEnabled(Map.of("cleanup.policy", "compact")),
        Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(prefix + SETTLED_SUFFIX),
                Serdes.String(),
                LedgerSerde.settledIds())
            .withCachingDisabled()
            .withLoggingEnabled(Map.of("cleanup.policy", "compact")));
  }

  @Override
  public CompletableFuture<LimitDecision> reserve(
      List<LimitKey> keys, String requestId, long tokens) {
    long nowMs = clock.getAsLong();
    if (settled.contains(requestId)) {
      return CompletableFuture.completedFuture(new AlreadySettled(Map.of()));
    }
    List<TenantLedger> current = new ArrayList<>(keys.size());
    List<LimitSpec> specs = new ArrayList<>(keys.size());
    for (LimitKey key : keys) {
      current.add(ledgers.getOrDefault(key.ledger(), TenantLedger.EMPTY));
      specs.add(key.spec());
    }
    MultiDecision decision = rules.reserveAll(current, specs, requestId, tokens, nowMs);
    if (decision.decision() instanceof Allowed) {
      for (int i = 0; i < keys.size(); i++) {
        put(keys.get(i).ledger(), decision.ledgers().get(i));
      }
    }
    return CompletableFuture.completedFuture(decision.decision());
  }

  @Override
  public void settle(List<LimitKey> keys, String requestId, long usedTokens) {
    long nowMs = clock.getAsLong();
    boolean reserved = false;
    for (LimitKey key : keys) {
      TenantLedger ledger = ledgers.get(key.ledger());
      if (ledger != null && ledger.reservations().containsKey(requestId)) {
        put(key.ledger(), rules.settle(ledger, requestId, usedTokens, nowMs));
        reserved = true;
      }
    }
    if (reserved && settled.add(requestId, nowMs)) {
      settledSinceFlush.put(requestId, nowMs);
    }
  }

  /**
   * Forgets settled ids past the keep window and ledgers that count nothing any more (no request or
   * token in a window, no reservation, no tokens today), so memory follows the tenants that are
   * active, not every tenant ever seen.
   */
  public void prune() {
    long nowMs = clock.getAsLong();
    settled.expire(nowMs, settledKeepMs);
    long today = Math.floorDiv(nowMs, TenantLimiter.DAY_MS);
    Iterator<Map.Entry<String, TenantLedger>> all = ledgers.entrySet().iterator();
    while (all.hasNext()) {
      Map.Entry<String, TenantLedger> entry = all.next();
      TenantLedger ledger = rules.prune(entry.getValue(), LimitSpec.UNLIMITED, nowMs);
      boolean idle =
          ledger.tokens().isEmpty()
              && ledger.reservations().isEmpty()
              && (ledger.dayTokens() == 0 || ledger.day() < today)
              && requestsIdle(entry.getValue(), nowMs);
      if (idle) {
        all.remove();
        dirty.remove(entry.getKey());
        ledgerStore.delete(entry.getKey());
      }
    }
  }

  /**
   * Whether no request sub-bucket can still count: the ledger does not record its window, so the
   * longest one allowed (a day) is assumed.
   */
  private static boolean requestsIdle(TenantLedger ledger, long nowMs) {
    if (ledger.requests().isEmpty()) {
      return true;
    }
    long newest = ((SortedMap<Long, Long>) ledger.requests()).lastKey();
    return nowMs - newest > RateLimits.MAX_WINDOW_MS + 1_000;
  }

  /** Ledgers held for tests and metrics. */
  int ledgerCount() {
    return ledgers.size();
  }

  /**
   * Writes the ledgers changed since the last flush, and the ids settled since, to the stores (and
   * so their changelogs); deletes the records of settled ids that are all past the keep window.
   */
  public void flush() {
    for (String key : dirty) {
      ledgerStore.put(key, ledgers.get(key));
    }
    dirty.clear();
    if (!settledSinceFlush.isEmpty()) {
      long flush = nextFlush++;
      int part = 0;
      Map<String, Long> batch = new LinkedHashMap<>();
      for (Map.Entry<String, Long> id : settledSinceFlush.entrySet()) {
        batch.put(id.getKey(), id.getValue());
        if (batch.size() == IDS_PER_RECORD) {
          writeSettled(flush + ":" + part++, batch);
          batch = new LinkedHashMap<>();
        }
      }
      if (!batch.isEmpty()) {
        writeSettled(flush + ":" + part, batch);
      }
      settledSinceFlush.clear();
    }
    long nowMs = clock.getAsLong();
    while (!settledRecords.isEmpty()
        && nowMs - settledRecords.peekFirst().newestMs() >= settledKeepMs) {
      settledStore.delete(settledRecords.pollFirst().key());
    }
  }

  private void writeSettled(String key, Map<String, Long> batch) {
    settledStore.put(key, batch);
    settledRecords.addLast(SettledRecord.of(key, batch));
  }

  private void put(String key, TenantLedger ledger) {
    ledgers.put(key, ledger);
    dirty.add(key);
  }

  private void restore() {
    try (KeyValueIterator<String, TenantLedger> all = ledgerStore.all()) {
      all.forEachRemaining(entry -> ledgers.put(entry.key, entry.value));
    }
    List<KeyValue<String, Long>> ids = new ArrayList<>();
    List<SettledRecord> records = new ArrayList<>();
    try (KeyValueIterator<String, Map<String, Long>> all = settledStore.all()) {
      all.forEachRemaining(
          batch -> {
            batch.value.forEach((id, atMs) -> ids.add(KeyValue.pair(id, atMs)));
            records.add(SettledRecord.of(batch.key, batch.value));
          });
    }
    // Oldest first, the order flush deletes them in; the next flush numbers after the last.
    records.sort(Comparator.comparingLong(SettledRecord::newestMs));
    for (SettledRecord record : records) {
      settledRecords.addLast(record);
      nextFlush = Math.max(nextFlush, record.flush() + 1);
    }
    ids.sort((a, b) -> Long.compare(a.value, b.value));
    for (KeyValue<String, Long> id : ids) {
      settled.add(id.key, id.value);
    }
  }
}

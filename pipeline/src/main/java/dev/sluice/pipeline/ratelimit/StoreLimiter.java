package dev.sluice.pipeline.ratelimit;

import dev.sluice.pipeline.ratelimit.LimitDecision.Allowed;
import dev.sluice.pipeline.ratelimit.LimitDecision.AlreadySettled;
import dev.sluice.pipeline.ratelimit.TenantLimiter.MultiDecision;
import dev.sluice.policy.RateLimits;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
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
 * the in-flight store's entries are, and a changed ledger is written once per record or punctuation
 * ({@link #flush}, which the chain calls before the stream thread can commit), however often the
 * record changed it: reserved and settled in one go, a request costs one write. Settled request ids
 * are kept in a store of their own for {@code settledKeepMs} (long enough for the commit that
 * covers their record), not in the ledgers, so a busy tenant's ledger stays a few hundred bytes.
 * Ledgers that no longer count anything are dropped by {@link #prune}, run from a wall-clock
 * punctuator.
 *
 * <p>Runs on the stream thread only: every future it returns is already complete.
 */
public final class StoreLimiter implements Limiter {
  /** Suffix of a sub-topology's ledger store: {@code http-rate-limits}. */
  public static final String LEDGERS_SUFFIX = "-rate-limits";

  /** Suffix of its store of recently settled request ids: {@code http-rate-limit-settled}. */
  public static final String SETTLED_SUFFIX = "-rate-limit-settled";

  private final TenantLimiter rules;
  private final long settledKeepMs;
  private final KeyValueStore<String, TenantLedger> ledgerStore;
  private final KeyValueStore<String, Long> settledStore;
  private final LongSupplier clock;
  private final Map<String, TenantLedger> ledgers = new HashMap<>();
  private final Set<String> dirty = new HashSet<>();
  private final Map<String, Long> settled = new HashMap<>();
  private final ArrayDeque<KeyValue<String, Long>> settledOrder = new ArrayDeque<>();

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
      KeyValueStore<String, Long> settledStore,
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
            // Cached: a ledger written on every request reaches its changelog once per commit.
            .withCachingEnabled()
            .withLoggingEnabled(Map.of("cleanup.policy", "compact")),
        Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(prefix + SETTLED_SUFFIX),
                Serdes.String(),
                Serdes.Long())
            .withLoggingEnabled(
                Map.of(
                    "cleanup.policy",
                    "compact,delete",
                    "retention.ms",
                    Long.toString(60L * 60 * 1000),
                    "segment.ms",
                    Long.toString(10L * 60 * 1000))));
  }

  @Override
  public CompletableFuture<LimitDecision> reserve(
      List<LimitKey> keys, String requestId, long tokens) {
    long nowMs = clock.getAsLong();
    if (settled.containsKey(requestId)) {
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
    if (reserved && settled.putIfAbsent(requestId, nowMs) == null) {
      settledOrder.addLast(KeyValue.pair(requestId, nowMs));
      settledStore.put(requestId, nowMs);
    }
  }

  /**
   * Forgets settled ids past the keep window and ledgers that count nothing any more (no request or
   * token in a window, no reservation, no tokens today), so memory follows the tenants that are
   * active, not every tenant ever seen.
   */
  public void prune() {
    long nowMs = clock.getAsLong();
    while (!settledOrder.isEmpty() && nowMs - settledOrder.peekFirst().value >= settledKeepMs) {
      String requestId = settledOrder.pollFirst().key;
      settled.remove(requestId);
      settledStore.delete(requestId);
    }
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

  /** Writes the ledgers changed since the last flush to the store (and so its changelog). */
  public void flush() {
    if (dirty.isEmpty()) {
      return;
    }
    for (String key : dirty) {
      ledgerStore.put(key, ledgers.get(key));
    }
    dirty.clear();
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
    try (KeyValueIterator<String, Long> all = settledStore.all()) {
      all.forEachRemaining(ids::add);
    }
    ids.sort((a, b) -> Long.compare(a.value, b.value));
    for (KeyValue<String, Long> id : ids) {
      settled.put(id.key, id.value);
      settledOrder.addLast(id);
    }
  }
}

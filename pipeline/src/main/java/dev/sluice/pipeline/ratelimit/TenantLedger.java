package dev.sluice.pipeline.ratelimit;

import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What a tenant (or a tenant and model) has used: the state one limiter key keeps in the
 * changelogged store, as JSON. Immutable; {@link TenantLimiter} returns a new ledger for every
 * change. Maps are sorted, so the same ledger is always written the same way.
 *
 * @param requests request sub-buckets: first millisecond to admissions counted in it
 * @param tokens tokens-per-minute sub-buckets (one second each): first millisecond to tokens
 * @param day the UTC day {@code dayTokens} belongs to (days since the epoch)
 * @param dayTokens tokens counted on {@code day}
 * @param reservations unsettled reservations by request id; each holds a concurrency slot
 * @param settled request ids settled (or expired) recently, to when that happened
 */
public record TenantLedger(
    Map<Long, Long> requests,
    Map<Long, Long> tokens,
    long day,
    long dayTokens,
    Map<String, Reservation> reservations,
    Map<String, Long> settled) {
  /** A tenant that has used nothing. */
  public static final TenantLedger EMPTY =
      new TenantLedger(Map.of(), Map.of(), 0, 0, Map.of(), Map.of());

  public TenantLedger {
    requests = sorted(requests);
    tokens = sorted(tokens);
    reservations = sorted(reservations);
    settled = sorted(settled);
  }

  private static <K, V> SortedMap<K, V> sorted(Map<K, V> map) {
    if (map == null) {
      return Collections.emptySortedMap();
    }
    // From a sorted map (what the limiter passes) the copy is linear; a null key fails here.
    TreeMap<K, V> copy = new TreeMap<>(map);
    if (copy.containsValue(null)) {
      throw new NullPointerException("a ledger entry has no value");
    }
    return Collections.unmodifiableSortedMap(copy);
  }
}

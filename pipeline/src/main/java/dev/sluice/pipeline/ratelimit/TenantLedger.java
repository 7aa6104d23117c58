package dev.sluice.pipeline.ratelimit;

import java.util.AbstractMap;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What a tenant (or a tenant and model) has used: the state one limiter key keeps in the
 * changelogged store, as JSON. Immutable; {@link TenantLimiter} returns a new ledger for every
 * change. Maps are sorted, so the same ledger is always written the same way. A ledger's maps are
 * read-only copies; the limiter hands over the maps it has just built ({@link #owned}), so a
 * request does not copy a busy tenant's ledger twice.
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

  /**
   * {@code map} as a ledger's map without a copy: for a map the caller has just built, holds no
   * null value in, and never touches again (the limiter's new maps).
   */
  static <K, V> SortedMap<K, V> owned(TreeMap<K, V> map) {
    return new ReadOnly<>(map);
  }

  private static <K, V> SortedMap<K, V> sorted(Map<K, V> map) {
    if (map == null) {
      return Collections.emptySortedMap();
    }
    if (map instanceof ReadOnly<K, V> readOnly) {
      // Another ledger's map, or one handed over: no one can change it.
      return readOnly;
    }
    // From a sorted map the copy is linear; a null key fails here.
    TreeMap<K, V> copy = new TreeMap<>(map);
    if (copy.containsValue(null)) {
      throw new NullPointerException("a ledger entry has no value");
    }
    return new ReadOnly<>(copy);
  }

  /** A sorted map that only {@link #owned} and {@link #sorted} make, over a map no one changes. */
  private static final class ReadOnly<K, V> extends AbstractMap<K, V> implements SortedMap<K, V> {
    private final SortedMap<K, V> map;

    ReadOnly(TreeMap<K, V> map) {
      this.map = Collections.unmodifiableSortedMap(map);
    }

    @Override
    public Set<Map.Entry<K, V>> entrySet() {
      return map.entrySet();
    }

    @Override
    public Set<K> keySet() {
      return map.keySet();
    }

    @Override
    public Collection<V> values() {
      return map.values();
    }

    @Override
    public int size() {
      return map.size();
    }

    @Override
    public V get(Object key) {
      return map.get(key);
    }

    @Override
    public boolean containsKey(Object key) {
      return map.containsKey(key);
    }

    @Override
    public Comparator<? super K> comparator() {
      return map.comparator();
    }

    @Override
    public SortedMap<K, V> subMap(K fromKey, K toKey) {
      return map.subMap(fromKey, toKey);
    }

    @Override
    public SortedMap<K, V> headMap(K toKey) {
      return map.headMap(toKey);
    }

    @Override
    public SortedMap<K, V> tailMap(K fromKey) {
      return map.tailMap(fromKey);
    }

    @Override
    public K firstKey() {
      return map.firstKey();
    }

    @Override
    public K lastKey() {
      return map.lastKey();
    }
  }
}

package dev.sluice.pipeline.ratelimit;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.BiPredicate;

/**
 * A ledger's map: immutable, sorted by key, in two arrays. A busy tenant's ledger changes on every
 * request (one sub-bucket counted, one reservation added or removed), so a change copies two arrays
 * of at most a few dozen references instead of rebuilding a tree of that many nodes, and a sum over
 * the sub-buckets reads the arrays without an iterator or an entry per element.
 *
 * <p>Only this class makes one; {@link #of} returns a {@code LedgerMap} as it is, so a map passes
 * from ledger to ledger without a copy.
 */
final class LedgerMap<K extends Comparable<? super K>, V> extends AbstractMap<K, V>
    implements SortedMap<K, V> {
  private static final LedgerMap<?, ?> EMPTY = new LedgerMap<>(new Object[0], new Object[0]);

  private final Object[] keys;
  private final Object[] values;

  private LedgerMap(Object[] keys, Object[] values) {
    this.keys = keys;
    this.values = values;
  }

  @SuppressWarnings("unchecked")
  static <K extends Comparable<? super K>, V> LedgerMap<K, V> empty() {
    return (LedgerMap<K, V>) EMPTY;
  }

  /** {@code map} itself when it is a ledger map, else a sorted copy; null is empty. */
  static <K extends Comparable<? super K>, V> LedgerMap<K, V> of(Map<K, V> map) {
    if (map == null || map.isEmpty()) {
      return empty();
    }
    if (map instanceof LedgerMap<K, V> ledgerMap) {
      return ledgerMap;
    }
    // A null key fails in the TreeMap; from a sorted map the copy is linear.
    TreeMap<K, V> sorted = new TreeMap<>(map);
    Object[] keys = new Object[sorted.size()];
    Object[] values = new Object[sorted.size()];
    int i = 0;
    for (Map.Entry<K, V> entry : sorted.entrySet()) {
      keys[i] = entry.getKey();
      values[i] = Objects.requireNonNull(entry.getValue(), "a ledger entry has no value");
      i++;
    }
    return new LedgerMap<>(keys, values);
  }

  @SuppressWarnings("unchecked")
  K keyAt(int index) {
    return (K) keys[index];
  }

  @SuppressWarnings("unchecked")
  V valueAt(int index) {
    return (V) values[index];
  }

  /** The index of {@code key}, or {@code -(insertion point) - 1} as {@link Arrays#binarySearch}. */
  @SuppressWarnings("unchecked")
  private int indexOf(Object key) {
    int low = 0;
    int high = keys.length - 1;
    while (low <= high) {
      int mid = (low + high) >>> 1;
      int order = ((K) keys[mid]).compareTo((K) key);
      if (order < 0) {
        low = mid + 1;
      } else if (order > 0) {
        high = mid - 1;
      } else {
        return mid;
      }
    }
    return -(low + 1);
  }

  private int find(Object key) {
    if (key == null) {
      return -1;
    }
    try {
      return indexOf(key);
    } catch (ClassCastException notAKey) {
      return -1;
    }
  }

  /** This map with {@code key} set to {@code value}. */
  LedgerMap<K, V> with(K key, V value) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    int index = indexOf(key);
    if (index >= 0) {
      Object[] changed = values.clone();
      changed[index] = value;
      return new LedgerMap<>(keys, changed);
    }
    int at = -index - 1;
    return new LedgerMap<>(inserted(keys, at, key), inserted(values, at, value));
  }

  /** This map without {@code key}; this map itself when it has no such key. */
  LedgerMap<K, V> without(K key) {
    int index = find(key);
    if (index < 0) {
      return this;
    }
    if (keys.length == 1) {
      return empty();
    }
    return new LedgerMap<>(removed(keys, index), removed(values, index));
  }

  /** The entries {@code keep} accepts; this map itself when it accepts them all. */
  LedgerMap<K, V> filter(BiPredicate<? super K, ? super V> keep) {
    int kept = 0;
    boolean[] keeps = null;
    for (int i = 0; i < keys.length; i++) {
      boolean k = keep.test(keyAt(i), valueAt(i));
      if (!k && keeps == null) {
        keeps = new boolean[keys.length];
        Arrays.fill(keeps, 0, i, true);
      }
      if (keeps != null) {
        keeps[i] = k;
      }
      kept += k ? 1 : 0;
    }
    if (keeps == null) {
      return this;
    }
    if (kept == 0) {
      return empty();
    }
    Object[] newKeys = new Object[kept];
    Object[] newValues = new Object[kept];
    for (int i = 0, j = 0; i < keys.length; i++) {
      if (keeps[i]) {
        newKeys[j] = keys[i];
        newValues[j++] = values[i];
      }
    }
    return new LedgerMap<>(newKeys, newValues);
  }

  private static Object[] inserted(Object[] array, int at, Object element) {
    Object[] longer = new Object[array.length + 1];
    System.arraycopy(array, 0, longer, 0, at);
    longer[at] = element;
    System.arraycopy(array, at, longer, at + 1, array.length - at);
    return longer;
  }

  private static Object[] removed(Object[] array, int at) {
    Object[] shorter = new Object[array.length - 1];
    System.arraycopy(array, 0, shorter, 0, at);
    System.arraycopy(array, at + 1, shorter, at, array.length - at - 1);
    return shorter;
  }

  @Override
  public int size() {
    return keys.length;
  }

  @Override
  public boolean isEmpty() {
    return keys.length == 0;
  }

  @Override
  public V get(Object key) {
    int index = find(key);
    return index < 0 ? null : valueAt(index);
  }

  @Override
  public boolean containsKey(Object key) {
    return find(key) >= 0;
  }

  // Over the array itself: the limiter's loops over reservations make no entry per element.
  @Override
  @SuppressWarnings("unchecked")
  public Collection<V> values() {
    return (Collection<V>) Collections.unmodifiableList(Arrays.asList(values));
  }

  @Override
  public Set<Map.Entry<K, V>> entrySet() {
    return new AbstractSet<>() {
      @Override
      public Iterator<Map.Entry<K, V>> iterator() {
        return new Iterator<>() {
          private int next;

          @Override
          public boolean hasNext() {
            return next < keys.length;
          }

          @Override
          public Map.Entry<K, V> next() {
            if (next >= keys.length) {
              throw new NoSuchElementException();
            }
            Map.Entry<K, V> entry = new SimpleImmutableEntry<>(keyAt(next), valueAt(next));
            next++;
            return entry;
          }
        };
      }

      @Override
      public int size() {
        return keys.length;
      }
    };
  }

  @Override
  public Comparator<? super K> comparator() {
    return null;
  }

  @Override
  public K firstKey() {
    if (keys.length == 0) {
      throw new NoSuchElementException();
    }
    return keyAt(0);
  }

  @Override
  public K lastKey() {
    if (keys.length == 0) {
      throw new NoSuchElementException();
    }
    return keyAt(keys.length - 1);
  }

  // Views are rare (no limiter rule uses one): a read-only copy is enough.
  @Override
  public SortedMap<K, V> subMap(K fromKey, K toKey) {
    return Collections.unmodifiableSortedMap(new TreeMap<>(this).subMap(fromKey, toKey));
  }

  @Override
  public SortedMap<K, V> headMap(K toKey) {
    return Collections.unmodifiableSortedMap(new TreeMap<>(this).headMap(toKey));
  }

  @Override
  public SortedMap<K, V> tailMap(K fromKey) {
    return Collections.unmodifiableSortedMap(new TreeMap<>(this).tailMap(fromKey));
  }
}

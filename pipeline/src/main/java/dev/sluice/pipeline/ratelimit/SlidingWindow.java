package dev.sluice.pipeline.ratelimit;

import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A window of {@code windowMs} split into sub-buckets of {@code bucketMs}, counted conservatively:
 * see {@link TenantLimiter} for the rules. Sub-buckets are kept as a map from their first
 * millisecond to their count.
 *
 * @param windowMs the window W
 * @param bucketMs the sub-bucket width, {@code ceil(W / 60)}
 */
record SlidingWindow(long windowMs, long bucketMs) {
  /** Sub-buckets per window at most. */
  static final int MAX_BUCKETS = 60;

  /** The tokens-per-minute window: 60 sub-buckets of one second. */
  static final SlidingWindow MINUTE = of(60_000);

  static SlidingWindow of(long windowMs) {
    return new SlidingWindow(windowMs, (windowMs + MAX_BUCKETS - 1) / MAX_BUCKETS);
  }

  /** The first millisecond of the sub-bucket {@code nowMs} is counted in. */
  long bucketAt(long nowMs) {
    return Math.floorDiv(nowMs, bucketMs) * bucketMs;
  }

  /** Whether the sub-bucket starting at {@code start} overlaps {@code (nowMs - W, nowMs]}. */
  boolean counts(long start, long nowMs) {
    return leavesAtMs(start) > nowMs;
  }

  /** The first instant the sub-bucket starting at {@code start} no longer counts. */
  long leavesAtMs(long start) {
    return start + bucketMs - 1 + windowMs;
  }

  /** The sum of every sub-bucket that counts at {@code nowMs}. */
  long sum(Map<Long, Long> buckets, long nowMs) {
    long sum = 0;
    for (Map.Entry<Long, Long> bucket : buckets.entrySet()) {
      if (counts(bucket.getKey(), nowMs)) {
        sum += bucket.getValue();
      }
    }
    return sum;
  }

  /**
   * Milliseconds until at least {@code excess} of what counts now has left the window: the oldest
   * sub-buckets leave first. {@code excess} is at most the sum.
   */
  long untilFreed(Map<Long, Long> buckets, long excess, long nowMs) {
    long freed = 0;
    for (Map.Entry<Long, Long> bucket : sorted(buckets).entrySet()) {
      if (counts(bucket.getKey(), nowMs)) {
        freed += bucket.getValue();
        if (freed >= excess) {
          return leavesAtMs(bucket.getKey()) - nowMs;
        }
      }
    }
    return untilEmpty(buckets, nowMs);
  }

  /** Milliseconds until nothing counted now counts any more; 0 when nothing counts. */
  long untilEmpty(Map<Long, Long> buckets, long nowMs) {
    long latest = nowMs;
    for (Map.Entry<Long, Long> bucket : buckets.entrySet()) {
      if (bucket.getValue() > 0 && counts(bucket.getKey(), nowMs)) {
        latest = Math.max(latest, leavesAtMs(bucket.getKey()));
      }
    }
    return latest - nowMs;
  }

  /**
   * The sub-buckets that still count at {@code nowMs}: {@code buckets} itself when all of them do,
   * which is the usual case (a sub-bucket leaves once per {@code bucketMs}), so that a ledger is
   * not copied on every request.
   */
  Map<Long, Long> prune(Map<Long, Long> buckets, long nowMs) {
    if (buckets.isEmpty()) {
      return buckets;
    }
    // Sorted by start, the oldest sub-bucket leaves first: if it still counts, all do. Counts
    // are never zero in a ledger (the limiter drops a sub-bucket refunded to nothing).
    if (buckets instanceof SortedMap<Long, Long> sorted && counts(sorted.firstKey(), nowMs)) {
      return buckets;
    }
    SortedMap<Long, Long> kept = new TreeMap<>();
    for (Map.Entry<Long, Long> bucket : buckets.entrySet()) {
      if (bucket.getValue() > 0 && counts(bucket.getKey(), nowMs)) {
        kept.put(bucket.getKey(), bucket.getValue());
      }
    }
    return kept;
  }

  private static SortedMap<Long, Long> sorted(Map<Long, Long> buckets) {
    return buckets instanceof SortedMap<Long, Long> sorted ? sorted : new TreeMap<>(buckets);
  }
}

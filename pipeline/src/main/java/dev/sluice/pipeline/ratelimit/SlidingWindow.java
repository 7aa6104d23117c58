package dev.sluice.pipeline.ratelimit;

import java.util.Map;

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
    LedgerMap<Long, Long> sorted = LedgerMap.of(buckets);
    long sum = 0;
    for (int i = 0; i < sorted.size(); i++) {
      if (counts(sorted.keyAt(i), nowMs)) {
        sum += sorted.valueAt(i);
      }
    }
    return sum;
  }

  /**
   * Milliseconds until at least {@code excess} of what counts now has left the window: the oldest
   * sub-buckets leave first. {@code excess} is at most the sum.
   */
  long untilFreed(Map<Long, Long> buckets, long excess, long nowMs) {
    LedgerMap<Long, Long> sorted = LedgerMap.of(buckets);
    long freed = 0;
    for (int i = 0; i < sorted.size(); i++) {
      long start = sorted.keyAt(i);
      if (counts(start, nowMs)) {
        freed += sorted.valueAt(i);
        if (freed >= excess) {
          return leavesAtMs(start) - nowMs;
        }
      }
    }
    return untilEmpty(sorted, nowMs);
  }

  /** Milliseconds until nothing counted now counts any more; 0 when nothing counts. */
  long untilEmpty(Map<Long, Long> buckets, long nowMs) {
    LedgerMap<Long, Long> sorted = LedgerMap.of(buckets);
    long latest = nowMs;
    for (int i = 0; i < sorted.size(); i++) {
      long start = sorted.keyAt(i);
      if (sorted.valueAt(i) > 0 && counts(start, nowMs)) {
        latest = Math.max(latest, leavesAtMs(start));
      }
    }
    return latest - nowMs;
  }

  /**
   * The sub-buckets that still count at {@code nowMs}: {@code buckets} itself when all of them do,
   * which is the usual case (a sub-bucket leaves once per {@code bucketMs}), so that a ledger is
   * not copied on every request.
   */
  LedgerMap<Long, Long> prune(Map<Long, Long> buckets, long nowMs) {
    LedgerMap<Long, Long> sorted = LedgerMap.of(buckets);
    // Sorted by start, the oldest sub-bucket leaves first: if it still counts, all do. Counts
    // are never zero in a ledger (the limiter drops a sub-bucket refunded to nothing).
    if (sorted.isEmpty() || counts(sorted.firstKey(), nowMs)) {
      return sorted;
    }
    return sorted.filter((start, count) -> count > 0 && counts(start, nowMs));
  }

  /** {@code buckets} with {@code amount} more in the sub-bucket starting at {@code start}. */
  static LedgerMap<Long, Long> plus(Map<Long, Long> buckets, long start, long amount) {
    LedgerMap<Long, Long> sorted = LedgerMap.of(buckets);
    Long current = sorted.get(start);
    return sorted.with(start, current == null ? amount : current + amount);
  }
}

package dev.sluice.pipeline.ratelimit;

/**
 * The request ids a task settled in the last few seconds, oldest first, held without an object per
 * id. A busy tenant settles thousands of ids a second and each is kept for {@code settledKeepMs}:
 * as {@code String}s in a map and a queue they were tens of thousands of objects that lived just
 * long enough to be copied by every young collection until they were promoted, which doubled the
 * pipeline's young pauses at 4,000 requests a second. Here an id is a 128-bit fingerprint and a
 * time in primitive arrays (a ring in settling order and an open-addressing index over it), about
 * 40 bytes, and the arrays are a few large objects the collector does not copy.
 *
 * <p>Two ids share a fingerprint with odds of about 2<sup>-128</sup> per pair (two independent
 * 64-bit hashes of the id's characters); a false match would answer a new request as a duplicate,
 * which at 10<sup>5</sup> ids held is about 10<sup>-29</sup> per request.
 *
 * <p>Not thread-safe: the stream thread that owns the task uses it alone.
 */
final class SettledIds {
  private static final int MIN_CAPACITY = 1024;

  // The ring, by sequence number: slot = seq & ringMask. Live sequences are [head, tail).
  private long[] first = new long[MIN_CAPACITY];
  private long[] second = new long[MIN_CAPACITY];
  private long[] times = new long[MIN_CAPACITY];
  private int ringMask = MIN_CAPACITY - 1;
  private long head;
  private long tail;

  // The index: seq + 1 of an id, or 0 for a free slot; linear probing on the first hash.
  private long[] index = new long[2 * MIN_CAPACITY];
  private int indexMask = 2 * MIN_CAPACITY - 1;

  /** Ids held. */
  int size() {
    return (int) (tail - head);
  }

  boolean contains(String id) {
    long a = firstHash(id);
    long b = secondHash(id);
    for (int slot = (int) mix(a) & indexMask; index[slot] != 0; slot = (slot + 1) & indexMask) {
      int at = (int) (index[slot] - 1) & ringMask;
      if (first[at] == a && second[at] == b) {
        return true;
      }
    }
    return false;
  }

  /** Adds {@code id}, settled at {@code atMs}; false when it is held already. */
  boolean add(String id, long atMs) {
    if (contains(id)) {
      return false;
    }
    if (size() == ringMask + 1) {
      growRing();
    }
    if (2 * (size() + 1) > indexMask + 1) {
      growIndex();
    }
    long seq = tail++;
    int at = (int) seq & ringMask;
    first[at] = firstHash(id);
    second[at] = secondHash(id);
    times[at] = atMs;
    insert(seq);
    return true;
  }

  /**
   * Forgets the ids settled {@code keepMs} or longer before {@code nowMs}, from the oldest on (an
   * id behind a younger one, after a clock step back, waits for it).
   */
  void expire(long nowMs, long keepMs) {
    while (head < tail && nowMs - times[(int) head & ringMask] >= keepMs) {
      remove(head);
      head++;
    }
  }

  private void insert(long seq) {
    int slot = (int) mix(first[(int) seq & ringMask]) & indexMask;
    while (index[slot] != 0) {
      slot = (slot + 1) & indexMask;
    }
    index[slot] = seq + 1;
  }

  /** Takes {@code seq} out of the index, shifting back the entries probed past it. */
  private void remove(long seq) {
    int slot = (int) mix(first[(int) seq & ringMask]) & indexMask;
    while (index[slot] != seq + 1) {
      slot = (slot + 1) & indexMask;
    }
    int hole = slot;
    index[hole] = 0;
    for (int next = (hole + 1) & indexMask; index[next] != 0; next = (next + 1) & indexMask) {
      int home = (int) mix(first[(int) (index[next] - 1) & ringMask]) & indexMask;
      // Move the entry into the hole unless its home lies cyclically in (hole, next].
      boolean stays = hole <= next ? (home > hole && home <= next) : (home > hole || home <= next);
      if (!stays) {
        index[hole] = index[next];
        index[next] = 0;
        hole = next;
      }
    }
  }

  private void growRing() {
    int capacity = 2 * (ringMask + 1);
    long[] newFirst = new long[capacity];
    long[] newSecond = new long[capacity];
    long[] newTimes = new long[capacity];
    int newMask = capacity - 1;
    for (long seq = head; seq < tail; seq++) {
      int from = (int) seq & ringMask;
      int to = (int) seq & newMask;
      newFirst[to] = first[from];
      newSecond[to] = second[from];
      newTimes[to] = times[from];
    }
    first = newFirst;
    second = newSecond;
    times = newTimes;
    ringMask = newMask;
  }

  private void growIndex() {
    index = new long[2 * (indexMask + 1)];
    indexMask = index.length - 1;
    for (long seq = head; seq < tail; seq++) {
      insert(seq);
    }
  }

  /** FNV-1a over the id's UTF-16 code units. */
  static long firstHash(String id) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < id.length(); i++) {
      h = (h ^ id.charAt(i)) * 0x100000001b3L;
    }
    return h;
  }

  /** A second, independent hash: a multiply-rotate over the code units, then a finaliser. */
  static long secondHash(String id) {
    long h = 0x9e3779b97f4a7c15L ^ id.length();
    for (int i = 0; i < id.length(); i++) {
      h = Long.rotateLeft((h ^ id.charAt(i)) * 0xc2b2ae3d27d4eb4fL, 31);
    }
    return mix(h);
  }

  /** SplitMix64's finaliser: spreads FNV's low bits for the index. */
  private static long mix(long h) {
    h = (h ^ (h >>> 30)) * 0xbf58476d1ce4e5b9L;
    h = (h ^ (h >>> 27)) * 0x94d049bb133111ebL;
    return h ^ (h >>> 31);
  }
}

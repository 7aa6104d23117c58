package dev.sluice.ingress;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cuts off a client address that keeps failing authentication ({@code
 * AUTH_FAILURE_LIMIT_PER_SECOND}). An address with {@code limit} failed authentications in the last
 * second is blocked: every request from it is refused (429) before its credential is even looked
 * at, until the oldest of those failures is a second old. So at most {@code limit} credentials from
 * one address are tried in any second, not only in aligned ones, and a flood of guesses cannot hide
 * one that works: while blocked, a right guess gets 429 like the wrong ones.
 *
 * <p>Only failures are recorded. A request that authenticates costs one map lookup ({@link
 * #blockedForMs}), and only a read of a counter while no address is remembered.
 *
 * <p>Memory is bounded: at most {@link #capacity} addresses are remembered, each with its last
 * {@code limit} failure times. An address that has not failed for a second is forgotten when room
 * is needed. When every remembered address is still within its second (a flood from more addresses
 * than that), a failure from an address not remembered is answered 429 as well: it was refused
 * anyway, and only its status changes. Such an address is not blocked; per-address limits cannot
 * stop a flood from that many addresses, and a proxy or firewall in front must.
 *
 * <p>Thread-safe without a global lock: each address's record is replaced under {@link
 * ConcurrentHashMap#compute}, which locks only that key's bin, and lookups take no lock.
 */
final class AuthFailureLimiter {
  private static final Logger LOGGER = LoggerFactory.getLogger(AuthFailureLimiter.class);

  /** The window the limit counts failures in. */
  static final long WINDOW_MS = 1_000;

  /** Addresses remembered at most, whatever the limit. */
  static final int MAX_ADDRESSES = 100_000;

  /** Failure times remembered in all (8 bytes each), which caps the addresses for high limits. */
  static final int MAX_REMEMBERED_FAILURES = 2_000_000;

  private final int limit;
  private final int capacity;
  private final LongSupplier clockMs;
  private final ConcurrentHashMap<String, Failures> byAddress = new ConcurrentHashMap<>();
  private final AtomicInteger remembered = new AtomicInteger();
  private final AtomicLong nextSweepMs = new AtomicLong(Long.MIN_VALUE);
  private final AtomicLong nextFullWarningMs = new AtomicLong(Long.MIN_VALUE);

  /**
   * @param limit failed authentications an address may have in any second; 0 turns the limit off
   */
  AuthFailureLimiter(int limit) {
    this(limit, addressesFor(limit), AuthFailureLimiter::monotonicMs);
  }

  /** For tests: a smaller table, and a clock they move. */
  AuthFailureLimiter(int limit, int capacity, LongSupplier clockMs) {
    if (limit < 0) {
      throw new IllegalArgumentException("limit must not be negative");
    }
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be positive");
    }
    this.limit = limit;
    this.capacity = capacity;
    this.clockMs = clockMs;
  }

  /** How many addresses a limit leaves room for within {@link #MAX_REMEMBERED_FAILURES}. */
  static int addressesFor(int limit) {
    return limit == 0 ? 1 : Math.min(MAX_ADDRESSES, MAX_REMEMBERED_FAILURES / limit);
  }

  private static long monotonicMs() {
    // Wall-clock steps (NTP, a VM resumed) must neither free nor block an address.
    return System.nanoTime() / 1_000_000;
  }

  boolean enabled() {
    return limit > 0;
  }

  int limit() {
    return limit;
  }

  int capacity() {
    return capacity;
  }

  /** How many addresses are remembered now; never more than {@link #capacity}. */
  int remembered() {
    return remembered.get();
  }

  /**
   * How long {@code address} stays blocked, in milliseconds; 0 when it may try a credential. Called
   * for every request before its credential is checked: the address is reduced to what is counted
   * ({@link ClientAddress#limitKey}, an IPv6 address's /64) only while some address is remembered.
   */
  long blockedForMs(String address) {
    if (limit == 0 || remembered.get() == 0) {
      return 0;
    }
    Failures failures = byAddress.get(ClientAddress.limitKey(address));
    return failures == null ? 0 : failures.blockedForMs(clockMs.getAsLong());
  }

  /**
   * Records that a credential from {@code clientAddress} (counted by {@link
   * ClientAddress#limitKey}) was refused. Returns 0 when the caller is told 401 as usual, or how
   * long to wait (the answer becomes 429): when this failure is over the limit (requests from one
   * address checked at the same moment can all get past {@link #blockedForMs}) or the address could
   * not be remembered.
   */
  long failed(String clientAddress) {
    if (limit == 0) {
      return 0;
    }
    String address = ClientAddress.limitKey(clientAddress);
    long now = clockMs.getAsLong();
    Failures before = byAddress.get(address);
    if (before == null && remembered.get() >= capacity) {
      sweep(now);
    }
    long[] over = {0};
    Failures after =
        byAddress.compute(
            address,
            (key, current) -> {
              if (current == null) {
                if (remembered.incrementAndGet() > capacity) {
                  remembered.decrementAndGet();
                  over[0] = WINDOW_MS;
                  return null;
                }
                current = Failures.none(limit);
              }
              over[0] = current.blockedForMs(now);
              return current.with(now);
            });
    if (after == null) {
      warnFull(now);
      return over[0];
    }
    long blocked = after.blockedForMs(now);
    if (over[0] == 0 && blocked > 0) {
      // Logged once per block, not per refused request: a flood must not flood the log too.
      LOGGER
          .atWarn()
          .addKeyValue("clientAddress", address)
          .addKeyValue("failures", limit)
          .addKeyValue("blockedMs", blocked)
          .log("client address blocked after failed authentications");
    }
    return over[0] > 0 ? blocked : 0;
  }

  /**
   * Forgets the addresses whose last failure is a window old, at most once a window: a full table
   * of live addresses is not scanned again for every new failure.
   */
  private void sweep(long now) {
    long due = nextSweepMs.get();
    if (now < due || !nextSweepMs.compareAndSet(due, now + WINDOW_MS)) {
      return;
    }
    for (String address : byAddress.keySet()) {
      byAddress.computeIfPresent(
          address,
          (key, failures) -> {
            if (failures.forgettable(now)) {
              remembered.decrementAndGet();
              return null;
            }
            return failures;
          });
    }
  }

  private void warnFull(long now) {
    long due = nextFullWarningMs.get();
    if (now >= due && nextFullWarningMs.compareAndSet(due, now + 60_000)) {
      LOGGER
          .atWarn()
          .addKeyValue("addresses", capacity)
          .log(
              "too many client addresses are failing authentication to tell apart; failures from"
                  + " others are answered 429");
    }
  }

  /**
   * One address's last failure times, oldest first, at most the limit of them. Immutable, so a
   * lookup without a lock sees a whole record; a limit is small, and only failures copy it.
   */
  private static final class Failures {
    private final long[] times;
    private final int limit;

    private Failures(long[] times, int limit) {
      this.times = times;
      this.limit = limit;
    }

    static Failures none(int limit) {
      return new Failures(new long[0], limit);
    }

    /** This record with a failure at {@code now}, the oldest forgotten beyond the limit. */
    Failures with(long now) {
      long[] next;
      if (times.length < limit) {
        next = Arrays.copyOf(times, times.length + 1);
      } else {
        next = new long[limit];
        System.arraycopy(times, 1, next, 0, limit - 1);
      }
      next[next.length - 1] = now;
      return new Failures(next, limit);
    }

    /** Blocked while the last {@code limit} failures all fall within one window before now. */
    long blockedForMs(long now) {
      return times.length < limit ? 0 : Math.max(0, times[0] + WINDOW_MS - now);
    }

    /** Nothing within the window: the address neither is blocked nor counts towards a block. */
    boolean forgettable(long now) {
      return times.length == 0 || now - times[times.length - 1] >= WINDOW_MS;
    }
  }
}

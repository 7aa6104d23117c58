package dev.sluice.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class AuthFailureLimiterTest {
  private final AtomicLong clock = new AtomicLong(1_000_000);

  @Test
  void anAddressIsBlockedOnceItHasTheLimitOfFailuresWithinASecond() {
    AuthFailureLimiter limiter = new AuthFailureLimiter(5, 1_000, clock::get);

    for (int i = 0; i < 5; i++) {
      assertThat(limiter.blockedForMs("198.51.100.7")).as("before failure %d", i + 1).isZero();
      assertThat(limiter.failed("198.51.100.7")).as("failure %d answers 401", i + 1).isZero();
      clock.addAndGet(10);
    }

    // The first failure was 50 ms ago: blocked until it is a second old.
    assertThat(limiter.blockedForMs("198.51.100.7")).isEqualTo(950);
    assertThat(limiter.blockedForMs("198.51.100.8")).isZero();
  }

  @Test
  void theWindowSlidesWithTheFailuresInsteadOfStartingOnTheSecond() {
    AuthFailureLimiter limiter = new AuthFailureLimiter(5, 1_000, clock::get);
    long start = clock.get();
    for (long at : new long[] {0, 900, 950, 980, 990}) {
      clock.set(start + at);
      limiter.failed("a");
    }

    clock.set(start + 999);
    assertThat(limiter.blockedForMs("a")).isEqualTo(1);
    clock.set(start + 1_000);
    assertThat(limiter.blockedForMs("a")).isZero();
    // One more failure: five within the second from 900 again, so blocked until 1900.
    limiter.failed("a");
    assertThat(limiter.blockedForMs("a")).isEqualTo(900);
  }

  /**
   * A caller trying at random moments, and trying a credential whenever it is not blocked: in any
   * second at most the limit of its credentials are tried, and it is refused without a try only
   * when the limit of tries really fell within the second before.
   */
  @Test
  void neverMoreThanTheLimitOfTriesInAnySecondAndNoRefusalWithoutThem() {
    Random random = new Random(11);
    for (int round = 0; round < 200; round++) {
      int limit = 1 + random.nextInt(8);
      AuthFailureLimiter limiter = new AuthFailureLimiter(limit, 10, clock::get);
      Deque<Long> recent = new ArrayDeque<>();
      List<Long> tried = new ArrayList<>();
      for (int attempt = 0; attempt < 300; attempt++) {
        clock.addAndGet(random.nextInt(random.nextBoolean() ? 50 : 400));
        long now = clock.get();
        while (!recent.isEmpty() && recent.peekFirst() <= now - AuthFailureLimiter.WINDOW_MS) {
          recent.removeFirst();
        }
        long blocked = limiter.blockedForMs("caller");
        if (blocked == 0) {
          assertThat(limiter.failed("caller")).isZero();
          tried.add(now);
          recent.addLast(now);
        } else {
          assertThat(recent).as("refused at %d after %s", now, recent).hasSize(limit);
          assertThat(blocked).isEqualTo(recent.peekFirst() + AuthFailureLimiter.WINDOW_MS - now);
        }
      }
      for (int i = limit; i < tried.size(); i++) {
        assertThat(tried.get(i) - tried.get(i - limit))
            .as("%d tries within a second (limit %d)", limit + 1, limit)
            .isGreaterThanOrEqualTo(AuthFailureLimiter.WINDOW_MS);
      }
    }
  }

  /**
   * Requests from one address checked at the same moment all get past the lookup; recording their
   * failures is exact all the same: the limit of them answer 401, the rest 429.
   */
  @Test
  void concurrentFailuresFromOneAddressBeyondTheLimitAreToldToWait() throws Exception {
    AuthFailureLimiter limiter = new AuthFailureLimiter(5, 1_000, clock::get);
    ExecutorService threads = Executors.newFixedThreadPool(8);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<Long>> answers = new ArrayList<>();
      for (int i = 0; i < 64; i++) {
        answers.add(
            threads.submit(
                () -> {
                  go.await();
                  return limiter.failed("203.0.113.5");
                }));
      }
      go.countDown();
      int told401 = 0;
      for (Future<Long> answer : answers) {
        long wait = answer.get(30, TimeUnit.SECONDS);
        if (wait == 0) {
          told401++;
        } else {
          assertThat(wait).isEqualTo(AuthFailureLimiter.WINDOW_MS);
        }
      }
      assertThat(told401).isEqualTo(5);
    } finally {
      threads.shutdownNow();
    }
  }

  @Test
  void remembersNoMoreAddressesThanItsCapacityUnderAFloodFrom100kAddresses() {
    AuthFailureLimiter limiter = new AuthFailureLimiter(5, 1_000, clock::get);
    limiter.failed("10.0.0.1");
    int toldToWait = 0;
    for (int i = 0; i < 100_000; i++) {
      if (limiter.failed(address(i)) > 0) {
        toldToWait++;
      }
      assertThat(limiter.remembered()).isLessThanOrEqualTo(1_000);
    }

    assertThat(limiter.remembered()).isEqualTo(1_000);
    // Addresses beyond the table are told to wait; none of them is blocked for it.
    assertThat(toldToWait).isEqualTo(100_000 - 999);
    assertThat(limiter.blockedForMs(address(99_999))).isZero();
    // An address remembered before the flood still counts towards its block.
    for (int i = 0; i < 4; i++) {
      limiter.failed("10.0.0.1");
    }
    assertThat(limiter.blockedForMs("10.0.0.1")).isPositive();

    // A second later the flood's addresses are forgotten when room is needed.
    clock.addAndGet(AuthFailureLimiter.WINDOW_MS);
    assertThat(limiter.failed("10.0.0.2")).isZero();
    assertThat(limiter.remembered()).isEqualTo(1);
  }

  @Test
  void theDefaultTableIsBoundedToo() {
    AuthFailureLimiter limiter = new AuthFailureLimiter(5);
    for (int i = 0; i < 100_500; i++) {
      limiter.failed(address(i));
    }
    assertThat(limiter.capacity()).isEqualTo(AuthFailureLimiter.MAX_ADDRESSES);
    assertThat(limiter.remembered()).isLessThanOrEqualTo(AuthFailureLimiter.MAX_ADDRESSES);
  }

  @Test
  void highLimitsRememberFewerAddressesSoTheFailureTimesStayBounded() {
    assertThat(AuthFailureLimiter.addressesFor(5)).isEqualTo(100_000);
    assertThat(AuthFailureLimiter.addressesFor(20)).isEqualTo(100_000);
    assertThat(AuthFailureLimiter.addressesFor(1_000)).isEqualTo(2_000);
  }

  @Test
  void zeroTurnsTheLimitOff() {
    AuthFailureLimiter limiter = new AuthFailureLimiter(0, 1, clock::get);
    for (int i = 0; i < 100; i++) {
      assertThat(limiter.failed("198.51.100.7")).isZero();
    }
    assertThat(limiter.blockedForMs("198.51.100.7")).isZero();
    assertThat(limiter.remembered()).isZero();
    assertThat(limiter.enabled()).isFalse();
  }

  private static String address(int i) {
    return "172." + ((i >> 16) & 0xff) + "." + ((i >> 8) & 0xff) + "." + (i & 0xff);
  }
}

package dev.sluice.pipeline.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.pipeline.ratelimit.LimitDecision.Allowed;
import dev.sluice.pipeline.ratelimit.LimitDecision.AlreadySettled;
import dev.sluice.pipeline.ratelimit.LimitDecision.Refused;
import dev.sluice.schemas.JsonCodec;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The limiter against a model of what it promises: random limits, arrival times, reservations,
 * replays, settlements and releases, with every figure checked at every admission. Seeded, so a
 * failure names its case; time is an argument, so nothing waits.
 */
class TenantLimiterPropertyTest {
  private static final long SEED = 0x5eed_2026_1202L;
  private static final long START = 20_000 * TenantLimiter.DAY_MS - 3_600_000;
  private static final JsonCodec<TenantLedger> CODEC = JsonCodec.of(TenantLedger.class);

  /** What the model knows of one admitted request. */
  private static final class Admitted {
    final long atMs;
    final long reserved;
    Long used;
    long settledAtMs = -1;

    Admitted(long atMs, long reserved) {
      this.atMs = atMs;
      this.reserved = reserved;
    }

    long charge() {
      return used == null ? reserved : used;
    }
  }

  @Test
  void noWindowEverHoldsMoreThanItsLimitWhateverArrivesAndSettles() {
    Random random = new Random(SEED);
    for (int run = 0; run < 300; run++) {
      long windowMs = window(random);
      long n = 1 + random.nextInt(30);
      LimitSpec spec =
          new LimitSpec(
              new RequestLimit(n, windowMs),
              random.nextBoolean() ? 500L + random.nextInt(5_000) : null,
              random.nextBoolean() ? 5_000L + random.nextInt(50_000) : null,
              random.nextBoolean() ? 1 + random.nextInt(8) : null);
      long keepMs = 1 + random.nextInt(300_000);
      long maxAgeMs = 1 + random.nextInt(120_000);
      String label = "run %d: %s, keep %d ms, max age %d ms".formatted(run, spec, keepMs, maxAgeMs);
      check(random, spec, new TenantLimiter(keepMs, maxAgeMs), keepMs, maxAgeMs, label);
    }
  }

  private static long window(Random random) {
    return switch (random.nextInt(3)) {
      case 0 -> 1 + random.nextInt(120);
      case 1 -> 100 + random.nextInt(5_000);
      default -> 10_000 + random.nextInt(200_000);
    };
  }

  private static void check(
      Random random,
      LimitSpec spec,
      TenantLimiter limiter,
      long keepMs,
      long maxAgeMs,
      String label) {
    long windowMs = spec.requests().windowMs();
    long n = spec.requests().requests();
    Map<String, Admitted> admitted = new HashMap<>();
    List<String> ids = new ArrayList<>();
    Deque<Long> inWindow = new ArrayDeque<>();
    TenantLedger ledger = TenantLedger.EMPTY;
    long now = START;
    long meanGapMs = Math.max(1, windowMs / (n * (1 + random.nextInt(3))));
    for (int step = 0; step < 400; step++) {
      now += gap(random, meanGapMs);
      for (Admitted a : admitted.values()) {
        if (a.used == null && now - a.atMs >= maxAgeMs) {
          // Every call prunes first: a lost settlement is given up, the whole reservation used.
          a.used = a.reserved;
          a.settledAtMs = now;
        }
      }
      int op = random.nextInt(10);
      if (op < 6 || ids.isEmpty()) {
        String id = "r" + step;
        long tokens = random.nextInt(4) == 0 ? 0 : random.nextInt(1_500);
        LedgerDecision reserved = limiter.reserve(ledger, spec, id, tokens, now);
        if (reserved.decision() instanceof Allowed) {
          admitted.put(id, new Admitted(now, tokens));
          ids.add(id);
          inWindow.addLast(now);
          while (inWindow.peekFirst() <= now - windowMs) {
            inWindow.removeFirst();
          }
          assertThat(inWindow.size())
              .as("%s: admissions in (%d - W, %d]", label, now, now)
              .isLessThanOrEqualTo((int) n);
          checkTokens(spec, admitted, now, label);
          checkConcurrency(spec, admitted, now, maxAgeMs, label);
        } else {
          Refused refused = (Refused) reserved.decision();
          assertThat(reserved.ledger()).isEqualTo(limiter.prune(ledger, spec, now));
          if (refused.tooLarge()) {
            assertThat(tokens)
                .as(label)
                .isGreaterThan(
                    Math.min(
                        spec.tokensPerMinute() == null ? Long.MAX_VALUE : spec.tokensPerMinute(),
                        spec.dailyTokens() == null ? Long.MAX_VALUE : spec.dailyTokens()));
          } else {
            assertThat(refused.retryAfterMs()).as(label).isPositive();
          }
        }
        ledger = reserved.ledger();
      } else {
        String id = ids.get(random.nextInt(ids.size()));
        Admitted known = admitted.get(id);
        if (op == 6) {
          if (known.used == null || now - known.settledAtMs < keepMs) {
            LedgerDecision replayed = limiter.reserve(ledger, spec, id, known.reserved, now);
            assertThat(replayed.decision())
                .as(label)
                .isInstanceOf(known.used == null ? Allowed.class : AlreadySettled.class);
            assertThat(replayed.ledger()).as(label).isEqualTo(limiter.prune(ledger, spec, now));
            ledger = replayed.ledger();
          } else {
            // Forgotten: a replay this late would be a new request, which the first branch covers.
            ledger = limiter.prune(ledger, spec, now);
          }
        } else {
          long used = op == 7 ? 0 : random.nextInt(2_000);
          ledger =
              op == 7 ? limiter.release(ledger, id, now) : limiter.settle(ledger, id, used, now);
          if (known.used == null) {
            known.used = used;
            known.settledAtMs = now;
          }
        }
      }
      if (step % 37 == 0) {
        TenantLedger read = CODEC.fromBytes(CODEC.toBytes(ledger));
        assertThat(read).as(label).isEqualTo(ledger);
        ledger = read;
      }
      assertThat(ledger.requests().size()).as(label).isLessThanOrEqualTo(61);
      assertThat(ledger.tokens().size()).as(label).isLessThanOrEqualTo(61);
      if (step % 5 == 0 || step == 399) {
        checkIds(ledger, admitted, now, keepMs, label);
      }
    }
  }

  /** Mostly steady, sometimes a burst, sometimes a pause of several windows. */
  private static long gap(Random random, long meanGapMs) {
    return switch (random.nextInt(10)) {
      case 0 -> 0;
      case 1 -> meanGapMs * (5 + random.nextInt(100));
      default -> random.nextInt((int) Math.min(Integer.MAX_VALUE, 2 * meanGapMs + 1));
    };
  }

  /** The ledger keeps exactly the calls in flight and the ids settled within the keep window. */
  private static void checkIds(
      TenantLedger ledger, Map<String, Admitted> admitted, long now, long keepMs, String label) {
    Set<String> inFlight = new TreeSet<>();
    Map<String, Long> settled = new TreeMap<>();
    admitted.forEach(
        (id, a) -> {
          if (a.used == null) {
            inFlight.add(id);
          } else if (now - a.settledAtMs < keepMs) {
            settled.put(id, a.settledAtMs);
          }
        });
    assertThat(ledger.reservations().keySet()).as(label).isEqualTo(inFlight);
    assertThat(ledger.settled()).as(label).isEqualTo(settled);
  }

  /**
   * What the request was charged (its reservation, or what it used once settled) in any 60 s window
   * ending at an admission, and on its UTC day, is within the limits: sub-buckets cover the window,
   * and a settlement corrects a charge only while its sub-bucket still counts.
   */
  private static void checkTokens(
      LimitSpec spec, Map<String, Admitted> admitted, long now, String label) {
    long minute = 0;
    long day = 0;
    long today = Math.floorDiv(now, TenantLimiter.DAY_MS);
    for (Admitted a : admitted.values()) {
      if (a.atMs > now - 60_000) {
        minute += a.charge();
      }
      if (Math.floorDiv(a.atMs, TenantLimiter.DAY_MS) == today) {
        day += a.charge();
      }
    }
    if (spec.tokensPerMinute() != null) {
      assertThat(minute)
          .as("%s: tokens in the minute before %d", label, now)
          .isLessThanOrEqualTo(spec.tokensPerMinute());
    }
    if (spec.dailyTokens() != null) {
      assertThat(day)
          .as("%s: tokens on the day of %d", label, now)
          .isLessThanOrEqualTo(spec.dailyTokens());
    }
  }

  private static void checkConcurrency(
      LimitSpec spec, Map<String, Admitted> admitted, long now, long maxAgeMs, String label) {
    if (spec.concurrent() == null) {
      return;
    }
    long inFlight =
        admitted.values().stream().filter(a -> a.used == null && now - a.atMs < maxAgeMs).count();
    assertThat(inFlight)
        .as("%s: calls in flight at %d", label, now)
        .isLessThanOrEqualTo(spec.concurrent());
  }

  @Test
  void aSteadyTenantGetsAlmostItsWholeLimitPerWindowOnAverage() {
    Random random = new Random(SEED + 1);
    TenantLimiter limiter = new TenantLimiter(60_000, 60_000);
    for (int run = 0; run < 200; run++) {
      long windowMs = window(random);
      // A tenant can only send N per W if its calls are at least 1 ms apart.
      long n = Math.min(windowMs, 1 + random.nextInt(40));
      LimitSpec spec = new LimitSpec(new RequestLimit(n, windowMs), null, null, null);
      SlidingWindow window = spec.requests().window();
      long buckets = (windowMs + window.bucketMs() - 1) / window.bucketMs();
      // At the limit's rate or up to four times faster.
      long gapMs = Math.max(1, windowMs / n / (1 + random.nextInt(4)));
      int windows = 10;
      TenantLedger ledger = TenantLedger.EMPTY;
      long admitted = 0;
      for (long t = START; t < START + windows * windowMs; t += gapMs) {
        LedgerDecision reserved = limiter.reserve(ledger, spec, "r" + t, 0, t);
        ledger = reserved.ledger();
        if (reserved.decision() instanceof Allowed) {
          admitted++;
          ledger = limiter.release(ledger, "r" + t, t);
        }
      }
      assertThat((double) admitted / windows)
          .as(
              "run %d: %d per %d ms (B = %d), one call every %d ms",
              run, n, windowMs, buckets, gapMs)
          .isGreaterThanOrEqualTo(n * (1 - 1.0 / buckets) - 1);
    }
  }

  @Test
  void aLongRunKeepsTheLedgerBounded() {
    Random random = new Random(SEED + 2);
    long keepMs = 10_000;
    long maxAgeMs = 5_000;
    TenantLimiter limiter = new TenantLimiter(keepMs, maxAgeMs);
    LimitSpec spec = new LimitSpec(new RequestLimit(100, 30_000), 50_000L, 5_000_000L, 8);
    // Calls at least 50 ms apart: no more ids than calls in the keep window and the maximum age.
    long idBound = (keepMs + maxAgeMs) / 50 + 1;
    Deque<String> inFlight = new ArrayDeque<>();
    TenantLedger ledger = TenantLedger.EMPTY;
    long now = START;
    int maxIds = 0;
    for (int step = 0; step < 100_000; step++) {
      now += 50 + random.nextInt(100);
      if (step % 5_000 == 0) {
        // Idle for hours now and then, so the run crosses UTC days.
        now += 4 * 3_600_000 + random.nextInt(3_600_000);
      }
      String id = "r" + step;
      LedgerDecision reserved = limiter.reserve(ledger, spec, id, random.nextInt(2_000), now);
      ledger = reserved.ledger();
      if (reserved.decision() instanceof Allowed) {
        inFlight.addLast(id);
      }
      if (!inFlight.isEmpty() && random.nextInt(3) > 0) {
        String done = inFlight.removeFirst();
        // One in ten settlements is lost and left to the maximum age.
        if (random.nextInt(10) > 0) {
          ledger = limiter.settle(ledger, done, random.nextInt(2_000), now);
        }
      }
      assertThat(ledger.requests().size()).isLessThanOrEqualTo(61);
      assertThat(ledger.tokens().size()).isLessThanOrEqualTo(61);
      assertThat(ledger.reservations().size()).isLessThanOrEqualTo(8);
      maxIds = Math.max(maxIds, ledger.settled().size() + ledger.reservations().size());
    }
    assertThat(now - START).as("several days").isGreaterThan(3 * TenantLimiter.DAY_MS);
    assertThat(maxIds).isBetween(1, (int) idBound);
    assertThat(CODEC.toBytes(ledger).length).isLessThan(32_000);
  }
}

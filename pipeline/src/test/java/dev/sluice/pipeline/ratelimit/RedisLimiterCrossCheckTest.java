package dev.sluice.pipeline.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.pipeline.ratelimit.LimitDecision.Allowed;
import dev.sluice.pipeline.ratelimit.LimitDecision.AlreadySettled;
import dev.sluice.pipeline.ratelimit.LimitDecision.Refused;
import dev.sluice.pipeline.ratelimit.RateLimitSettings.RedisDown;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The script against the pure limiter it restates: random specs on one or two ledgers, random
 * reservations, settlements and releases (ids repeat, so replays and re-reservations happen), and
 * every decision, figures included, equal to {@link TenantLimiter#reserveAll}'s at the time the
 * script used. Half the steps submit a group of operations before waiting on any, so that one
 * script call decides several in order (replays and settlements of an id reserved in the same call
 * included). Real time passes between calls (now and then a few milliseconds more), so windows
 * slide and reservations expire with small windows and ages; now and then a ledger's spec changes,
 * as a new bundle would change it.
 */
class RedisLimiterCrossCheckTest {
  private static final long SEED = 0x5eed_4ed1_5L;
  private static final int SEQUENCES = 24;
  private static final int STEPS = 120;

  private static final long[] WINDOWS = {1, 7, 30, 120, 1_000, 60_000};
  private static final long[] MAX_AGES = {3, 25, 60_000};
  // Long enough that no pause between two calls outlasts it: see RedisLimiter's memory bound.
  private static final long[] KEEPS = {2_000, 600_000};

  @Test
  void everyDecisionIsThePureLimitersAtTheScriptsTime() throws Exception {
    RedisSettings redis = TestRedis.require();
    Map<Class<?>, Integer> seen = new HashMap<>();
    for (int sequence = 0; sequence < SEQUENCES; sequence++) {
      long seed = SEED + sequence;
      Random random = new Random(seed);
      long keep = KEEPS[random.nextInt(KEEPS.length)];
      long maxAge = MAX_AGES[random.nextInt(MAX_AGES.length)];
      TenantLimiter pure = new TenantLimiter(keep, maxAge);
      String tenant = TestRedis.tenant("cross-" + seed);
      List<LimitKey> keys = new ArrayList<>();
      keys.add(new LimitKey(tenant, "", spec(random)));
      if (random.nextBoolean()) {
        keys.add(new LimitKey(tenant, "model:openai:gpt-4o", spec(random)));
      }
      List<LimitSpec> specs = new ArrayList<>(keys.stream().map(LimitKey::spec).toList());
      List<TenantLedger> ledgers = new ArrayList<>();
      keys.forEach(key -> ledgers.add(TenantLedger.EMPTY));

      try (RedisLimiter limiter = RedisLimiter.connect(redis, RedisDown.DENY, keep, maxAge)) {
        for (int step = 0; step < STEPS; step++) {
          // Half the steps submit several operations before waiting on any: those behind the
          // first go in one script call, decided in order at one time.
          int group = random.nextBoolean() ? 1 : 2 + random.nextInt(12);
          List<Submitted> submitted = new ArrayList<>();
          for (int g = 0; g < group; g++) {
            if (random.nextInt(40) == 0) {
              // The bundle changed, even between two operations of one call.
              int changed = random.nextInt(keys.size());
              LimitKey before = keys.get(changed);
              keys.set(
                  changed,
                  new LimitKey(before.tenant(), before.scope(), changed(before.spec(), random)));
              specs.set(changed, keys.get(changed).spec());
            }
            List<LimitKey> now = List.copyOf(keys);
            List<LimitSpec> nowSpecs = List.copyOf(specs);
            String id = "r" + random.nextInt(10);
            int op = random.nextInt(10);
            if (op < 6) {
              long tokens = random.nextInt(4) == 0 ? 0 : random.nextInt(1_500);
              submitted.add(
                  new Submitted(
                      id, nowSpecs, true, tokens, limiter.reserveTimed(now, id, tokens), null));
            } else {
              long used = op < 8 ? random.nextInt(1_500) : 0;
              submitted.add(
                  new Submitted(
                      id, nowSpecs, false, used, null, limiter.settleTimed(now, id, used)));
            }
          }
          for (int g = 0; g < submitted.size(); g++) {
            Submitted one = submitted.get(g);
            String context = "seed " + seed + " step " + step + "." + g + " specs " + one.specs();
            if (one.reserve()) {
              RedisLimiter.Reserved got = one.reserved().get(10, TimeUnit.SECONDS);
              TenantLimiter.MultiDecision expected =
                  pure.reserveAll(ledgers, one.specs(), one.id(), one.tokens(), got.nowMs());
              assertThat(got.decision()).as(context).isEqualTo(expected.decision());
              for (int i = 0; i < ledgers.size(); i++) {
                ledgers.set(i, expected.ledgers().get(i));
              }
              seen.merge(got.decision().getClass(), 1, Integer::sum);
            } else {
              long now = one.settled().get(10, TimeUnit.SECONDS);
              for (int i = 0; i < ledgers.size(); i++) {
                ledgers.set(i, pure.settle(ledgers.get(i), one.id(), one.tokens(), now));
              }
            }
          }
          if (random.nextInt(8) == 0) {
            Thread.sleep(random.nextInt(15));
          }
        }
      }
    }
    // The sequences reach every kind of decision, or they prove less than they seem to.
    assertThat(seen).containsKeys(Allowed.class, Refused.class, AlreadySettled.class);
  }

  private record Submitted(
      String id,
      List<LimitSpec> specs,
      boolean reserve,
      long tokens,
      CompletableFuture<RedisLimiter.Reserved> reserved,
      CompletableFuture<Long> settled) {}

  /**
   * A new spec for a ledger. A request window that stays limited keeps its width: after a change of
   * width the backends agree again one window later, not at once (a Redis key expires when nothing
   * counts under the old width, where the store's ledger keeps its sub-buckets until the next
   * reservation prunes them; docs/rate-limits.md), and a change of width with counted sub-buckets
   * is {@link RedisLimiterTest}'s.
   */
  private static LimitSpec changed(LimitSpec before, Random random) {
    LimitSpec next = spec(random);
    if (before.requests() == null || next.requests() == null) {
      return next;
    }
    return new LimitSpec(
        new RequestLimit(next.requests().requests(), before.requests().windowMs()),
        next.tokensPerMinute(),
        next.dailyTokens(),
        next.concurrent());
  }

  private static LimitSpec spec(Random random) {
    RequestLimit requests =
        random.nextInt(3) == 0
            ? null
            : new RequestLimit(1 + random.nextInt(6), WINDOWS[random.nextInt(WINDOWS.length)]);
    Long tpm = random.nextInt(3) == 0 ? null : 200L + random.nextInt(4_000);
    Long daily = random.nextInt(3) == 0 ? null : 500L + random.nextInt(20_000);
    Integer concurrent = random.nextInt(3) == 0 ? null : 1 + random.nextInt(4);
    return new LimitSpec(requests, tpm, daily, concurrent);
  }
}

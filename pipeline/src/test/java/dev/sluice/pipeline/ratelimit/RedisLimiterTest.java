package dev.sluice.pipeline.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.pipeline.ratelimit.LimitDecision.Allowed;
import dev.sluice.pipeline.ratelimit.LimitDecision.AlreadySettled;
import dev.sluice.pipeline.ratelimit.LimitDecision.Refused;
import dev.sluice.pipeline.ratelimit.LimitDecision.Unchecked;
import dev.sluice.pipeline.ratelimit.RateLimitSettings.RedisDown;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;

/** The Redis limiter against a real Redis: exactness, tokens, idempotency, Redis down. */
class RedisLimiterTest {
  private static final long KEEP_MS = 600_000;
  private static final long MAX_AGE_MS = 120_000;

  private final List<RedisLimiter> opened = new ArrayList<>();

  @AfterEach
  void close() {
    opened.forEach(RedisLimiter::close);
  }

  private RedisLimiter limiter(RedisSettings settings, RedisDown onDown) {
    RedisLimiter limiter = RedisLimiter.connect(settings, onDown, KEEP_MS, MAX_AGE_MS);
    opened.add(limiter);
    return limiter;
  }

  private static LimitDecision reserve(RedisLimiter limiter, LimitKey key, String id, long tokens)
      throws Exception {
    return limiter.reserve(List.of(key), id, tokens).get(10, TimeUnit.SECONDS);
  }

  private static void settle(RedisLimiter limiter, LimitKey key, String id, long used)
      throws Exception {
    limiter.settleTimed(List.of(key), id, used).get(10, TimeUnit.SECONDS);
  }

  @Test
  void exactlyNAdmittedAcrossTwoClientsUnderConcurrency() throws Exception {
    RedisSettings redis = TestRedis.require();
    RedisLimiter first = limiter(redis, RedisDown.DENY);
    RedisLimiter second = limiter(redis, RedisDown.DENY);
    int limit = 25;
    LimitKey key =
        new LimitKey(
            TestRedis.tenant("exact"),
            "",
            new LimitSpec(new RequestLimit(limit, 600_000), null, null, null));
    ExecutorService threads = Executors.newFixedThreadPool(8);
    try {
      List<Future<CompletableFuture<LimitDecision>>> calls = new ArrayList<>();
      for (int i = 0; i < 10 * limit; i++) {
        RedisLimiter limiter = i % 2 == 0 ? first : second;
        String id = "req-" + i;
        calls.add(threads.submit(() -> limiter.reserve(List.of(key), id, 10)));
      }
      int allowed = 0;
      int refused = 0;
      for (Future<CompletableFuture<LimitDecision>> call : calls) {
        LimitDecision decision = call.get(10, TimeUnit.SECONDS).get(10, TimeUnit.SECONDS);
        if (decision instanceof Allowed) {
          allowed++;
        } else if (decision instanceof Refused refusal) {
          assertThat(refusal.limit()).isEqualTo(LimitKind.REQUESTS);
          assertThat(refusal.retryAfterMs()).isPositive();
          refused++;
        }
      }
      assertThat(allowed).isEqualTo(limit);
      assertThat(refused).isEqualTo(9 * limit);
    } finally {
      threads.shutdownNow();
    }
  }

  @Test
  void concurrentLimitIsExactAcrossTwoClients() throws Exception {
    RedisSettings redis = TestRedis.require();
    RedisLimiter first = limiter(redis, RedisDown.DENY);
    RedisLimiter second = limiter(redis, RedisDown.DENY);
    LimitKey key =
        new LimitKey(TestRedis.tenant("inflight"), "", new LimitSpec(null, null, null, 4));
    List<CompletableFuture<LimitDecision>> calls = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      calls.add((i % 2 == 0 ? first : second).reserve(List.of(key), "call-" + i, 1));
    }
    long allowed = 0;
    for (CompletableFuture<LimitDecision> call : calls) {
      allowed += call.get(10, TimeUnit.SECONDS) instanceof Allowed ? 1 : 0;
    }
    assertThat(allowed).isEqualTo(4);
  }

  @Test
  void settlementReturnsTheUnusedTokens() throws Exception {
    RedisSettings redis = TestRedis.require();
    RedisLimiter limiter = limiter(redis, RedisDown.DENY);
    LimitKey key =
        new LimitKey(TestRedis.tenant("tokens"), "", new LimitSpec(null, 1500L, 100_000L, null));

    LimitDecision first = reserve(limiter, key, "a", 1000);
    assertThat(first).isInstanceOf(Allowed.class);
    assertThat(first.headroom(LimitKind.TOKENS_PER_MINUTE).orElseThrow().remaining())
        .isEqualTo(500);

    LimitDecision tooMuch = reserve(limiter, key, "b", 1000);
    assertThat(tooMuch).isInstanceOf(Refused.class);
    Refused refusal = (Refused) tooMuch;
    assertThat(refusal.limit()).isEqualTo(LimitKind.TOKENS_PER_MINUTE);
    assertThat(refusal.tooLarge()).isFalse();
    assertThat(refusal.retryAfterMs()).isPositive();
    // A refused call counted nothing.
    assertThat(tooMuch.headroom(LimitKind.TOKENS_PER_MINUTE).orElseThrow().remaining())
        .isEqualTo(500);

    settle(limiter, key, "a", 10);
    LimitDecision second = reserve(limiter, key, "b", 1000);
    assertThat(second).isInstanceOf(Allowed.class);
    assertThat(second.headroom(LimitKind.TOKENS_PER_MINUTE).orElseThrow().remaining())
        .isEqualTo(490);
    assertThat(second.headroom(LimitKind.DAILY_TOKENS).orElseThrow().remaining())
        .isEqualTo(100_000 - 1010);

    // A released call gives back everything it reserved.
    settle(limiter, key, "b", 0);
    LimitDecision third = reserve(limiter, key, "c", 400);
    assertThat(third.headroom(LimitKind.TOKENS_PER_MINUTE).orElseThrow().remaining())
        .isEqualTo(1500 - 10 - 400);
    assertThat(third.headroom(LimitKind.DAILY_TOKENS).orElseThrow().remaining())
        .isEqualTo(100_000 - 410);

    LimitDecision huge = reserve(limiter, key, "d", 2000);
    assertThat(huge).isInstanceOf(Refused.class);
    assertThat(((Refused) huge).tooLarge()).isTrue();
    assertThat(((Refused) huge).retryAfterMs()).isZero();
  }

  @Test
  void reservationAndSettlementAreIdempotentByRequestId() throws Exception {
    RedisSettings redis = TestRedis.require();
    RedisLimiter limiter = limiter(redis, RedisDown.DENY);
    LimitKey key =
        new LimitKey(
            TestRedis.tenant("idempotent"),
            "",
            new LimitSpec(new RequestLimit(10, 60_000), 10_000L, null, 3));

    LimitDecision once = reserve(limiter, key, "x", 100);
    LimitDecision twice = reserve(limiter, key, "x", 100);
    assertThat(once).isInstanceOf(Allowed.class);
    assertThat(twice).isInstanceOf(Allowed.class);
    assertThat(twice.headroom(LimitKind.REQUESTS).orElseThrow().remaining()).isEqualTo(9);
    assertThat(twice.headroom(LimitKind.TOKENS_PER_MINUTE).orElseThrow().remaining())
        .isEqualTo(9_900);
    assertThat(twice.headroom(LimitKind.CONCURRENT).orElseThrow().remaining()).isEqualTo(2);

    settle(limiter, key, "x", 30);
    settle(limiter, key, "x", 0);
    LimitDecision replayed = reserve(limiter, key, "x", 100);
    assertThat(replayed).isInstanceOf(AlreadySettled.class);
    assertThat(replayed.headroom(LimitKind.TOKENS_PER_MINUTE).orElseThrow().remaining())
        .isEqualTo(9_970);
    assertThat(replayed.headroom(LimitKind.CONCURRENT).orElseThrow().remaining()).isEqualTo(3);
    assertThat(replayed.headroom(LimitKind.REQUESTS).orElseThrow().remaining()).isEqualTo(9);
  }

  @Test
  void aModelsLedgerNarrowsTheTenantsAllOrNothing() throws Exception {
    RedisSettings redis = TestRedis.require();
    RedisLimiter limiter = limiter(redis, RedisDown.DENY);
    String tenant = TestRedis.tenant("model");
    LimitKey own =
        new LimitKey(tenant, "", new LimitSpec(new RequestLimit(5, 60_000), null, null, null));
    LimitKey model =
        new LimitKey(
            tenant,
            "model:openai:gpt-4o",
            new LimitSpec(new RequestLimit(1, 60_000), null, null, null));
    assertThat(limiter.reserve(List.of(own, model), "m1", 0).get(10, TimeUnit.SECONDS))
        .isInstanceOf(Allowed.class);
    LimitDecision refused = limiter.reserve(List.of(own, model), "m2", 0).get(10, TimeUnit.SECONDS);
    assertThat(refused).isInstanceOf(Refused.class);
    // The tenant's ledger counted only the admitted request: the refusal counted nowhere.
    LimitDecision alone = reserve(limiter, own, "m3", 0);
    assertThat(alone.headroom(LimitKind.REQUESTS).orElseThrow().remaining()).isEqualTo(3);
  }

  @Test
  void operationsSubmittedTogetherAreDecidedInOrderInOneCall() throws Exception {
    RedisLimiter limiter = limiter(TestRedis.require(), RedisDown.DENY);
    LimitKey key =
        new LimitKey(
            TestRedis.tenant("batch"),
            "",
            new LimitSpec(new RequestLimit(3, 600_000), 10_000L, null, 2));
    // The first goes at once; the rest wait for it and go together.
    List<CompletableFuture<RedisLimiter.Reserved>> reserved = new ArrayList<>();
    reserved.add(limiter.reserveTimed(List.of(key), "a", 100));
    reserved.add(limiter.reserveTimed(List.of(key), "b", 200));
    reserved.add(limiter.reserveTimed(List.of(key), "c", 300));
    CompletableFuture<Long> settled = limiter.settleTimed(List.of(key), "a", 40);
    reserved.add(limiter.reserveTimed(List.of(key), "c", 300));
    reserved.add(limiter.reserveTimed(List.of(key), "a", 100));

    List<LimitDecision> decisions = new ArrayList<>();
    for (CompletableFuture<RedisLimiter.Reserved> one : reserved) {
      decisions.add(one.get(10, TimeUnit.SECONDS).decision());
    }
    settled.get(10, TimeUnit.SECONDS);
    assertThat(decisions.get(0)).isInstanceOf(Allowed.class);
    assertThat(decisions.get(1)).isInstanceOf(Allowed.class);
    // Two calls in flight: c waits for a slot.
    assertThat(decisions.get(2)).isInstanceOf(Refused.class);
    assertThat(((Refused) decisions.get(2)).limit()).isEqualTo(LimitKind.CONCURRENT);
    // a settled (60 of its 100 tokens back) in between: c fits, and a is settled.
    assertThat(decisions.get(3)).isInstanceOf(Allowed.class);
    assertThat(decisions.get(3).headroom(LimitKind.REQUESTS).orElseThrow().remaining()).isZero();
    assertThat(decisions.get(3).headroom(LimitKind.TOKENS_PER_MINUTE).orElseThrow().remaining())
        .isEqualTo(10_000 - 40 - 200 - 300);
    assertThat(decisions.get(4)).isInstanceOf(AlreadySettled.class);
  }

  @Test
  void aChangedRequestWindowRereadsWhatIsCounted() throws Exception {
    RedisLimiter limiter = limiter(TestRedis.require(), RedisDown.DENY);
    String tenant = TestRedis.tenant("window-change");
    LimitKey wide =
        new LimitKey(tenant, "", new LimitSpec(new RequestLimit(5, 60_000), null, null, null));
    LimitKey narrow =
        new LimitKey(tenant, "", new LimitSpec(new RequestLimit(5, 30_000), null, null, null));
    reserve(limiter, wide, "one", 0);
    // Submitted together: the third call's window differs from the second's within one call.
    CompletableFuture<LimitDecision> second = limiter.reserve(List.of(wide), "two", 0);
    CompletableFuture<LimitDecision> third = limiter.reserve(List.of(wide), "three", 0);
    CompletableFuture<LimitDecision> fourth = limiter.reserve(List.of(narrow), "four", 0);
    assertThat(second.get(10, TimeUnit.SECONDS)).isInstanceOf(Allowed.class);
    assertThat(third.get(10, TimeUnit.SECONDS)).isInstanceOf(Allowed.class);
    LimitDecision narrowed = fourth.get(10, TimeUnit.SECONDS);
    assertThat(narrowed.headroom(LimitKind.REQUESTS).orElseThrow().remaining()).isEqualTo(1);
    assertThat(reserve(limiter, wide, "five", 0).headroom(LimitKind.REQUESTS).orElseThrow())
        .extracting(Headroom::remaining)
        .isEqualTo(0L);
  }

  @Test
  void aRefundThatEmptiesAMiddleSubBucketIsCountedByLaterCalls() throws Exception {
    RedisLimiter limiter = limiter(TestRedis.require(), RedisDown.DENY);
    LimitKey key =
        new LimitKey(TestRedis.tenant("middle"), "", new LimitSpec(null, 10_000L, null, null));
    // Three token sub-buckets (one second each); the middle one is emptied by a refund.
    reserve(limiter, key, "first", 100);
    Thread.sleep(1_050);
    reserve(limiter, key, "middle", 200);
    Thread.sleep(1_050);
    reserve(limiter, key, "last", 300);
    CompletableFuture<Long> refund = limiter.settleTimed(List.of(key), "middle", 0);
    CompletableFuture<LimitDecision> together = limiter.reserve(List.of(key), "together", 50);
    refund.get(10, TimeUnit.SECONDS);
    assertThat(together.get(10, TimeUnit.SECONDS).headroom(LimitKind.TOKENS_PER_MINUTE))
        .get()
        .extracting(Headroom::remaining)
        .isEqualTo(10_000L - 100 - 300 - 50);
    // A later call reads the window's sum as the refund left it.
    assertThat(reserve(limiter, key, "later", 10).headroom(LimitKind.TOKENS_PER_MINUTE))
        .get()
        .extracting(Headroom::remaining)
        .isEqualTo(10_000L - 100 - 300 - 50 - 10);
  }

  @Test
  void everyKeyExpires() throws Exception {
    RedisSettings redis = TestRedis.require();
    RedisLimiter limiter = limiter(redis, RedisDown.DENY);
    String tenant = TestRedis.tenant("ttl");
    LimitKey key =
        new LimitKey(
            tenant, "batch", new LimitSpec(new RequestLimit(10, 60_000), 10_000L, 50_000L, 5));
    reserve(limiter, key, "one", 100);
    reserve(limiter, key, "two", 100);
    settle(limiter, key, "one", 50);
    RedissonClient client = Redisson.create(RedisLimiter.config(redis));
    try {
      List<String> names = RedisLimiter.keysOf(key);
      int present = 0;
      for (String name : names) {
        long ttl = client.getKeys().remainTimeToLive(name);
        // -2: no such key; -1: a key without expiry, which would be a leak.
        assertThat(ttl).as(name).isNotEqualTo(-1);
        present += ttl > 0 ? 1 : 0;
      }
      assertThat(present).isEqualTo(names.size());
    } finally {
      client.shutdown();
    }
  }

  @Test
  void keysShareTheTenantsHashTagAndCannotCollide() {
    LimitSpec spec = LimitSpec.UNLIMITED;
    assertThat(RedisLimiter.keysOf(new LimitKey("acme", "", spec)))
        .containsExactly(
            "sluice:rl:{acme}:t:req",
            "sluice:rl:{acme}:t:tok",
            "sluice:rl:{acme}:t:day",
            "sluice:rl:{acme}:t:res",
            "sluice:rl:{acme}:t:rtok",
            "sluice:rl:{acme}:t:done");
    assertThat(RedisLimiter.keysOf(new LimitKey("a}c", "model:openai:gpt-4o", spec)).get(0))
        .isEqualTo("sluice:rl:{a%7Dc}:s:model%3Aopenai%3Agpt-4o:req");
    assertThat(RedisLimiter.keysOf(new LimitKey("", "", spec)).get(0))
        .isEqualTo("sluice:rl:{%}:t:req");
    assertThat(RedisLimiter.encode("é")).isEqualTo("%C3%A9");
  }

  @Test
  void redisDownDeniesWithAnErrorNamingTheAddressOnly() throws Exception {
    RedisSettings closed =
        new RedisSettings(
            false, "127.0.0.1", TestRedis.freePort(), 0, Optional.empty(), Optional.of("s3cr3t"));
    RedisLimiter limiter = limiter(closed, RedisDown.DENY);
    LimitKey key = new LimitKey("down", "", new LimitSpec(null, 100L, null, null));
    CompletableFuture<LimitDecision> decision = limiter.reserve(List.of(key), "r", 1);
    assertThatThrownBy(() -> decision.get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(LimiterUnavailableException.class)
        .hasMessageContaining(closed.address())
        .hasMessageNotContaining("s3cr3t");
    assertThat(limiter.available()).isFalse();
    // A settlement that cannot be made is given up, never thrown at the caller.
    limiter.settle(List.of(key), "r", 1);
  }

  @Test
  void redisDownAllowsUncheckedWhenConfigured() throws Exception {
    RedisSettings closed =
        new RedisSettings(
            false, "127.0.0.1", TestRedis.freePort(), 0, Optional.empty(), Optional.empty());
    RedisLimiter limiter = limiter(closed, RedisDown.ALLOW);
    LimitKey key = new LimitKey("down", "", new LimitSpec(null, 100L, null, null));
    assertThat(limiter.reserve(List.of(key), "r", 1).get(10, TimeUnit.SECONDS))
        .isInstanceOf(Unchecked.class);
    assertThat(limiter.available()).isFalse();
  }
}

package dev.sluice.pipeline.ratelimit;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Where ledgers live and how a decision on them is made atomically: this task's changelogged state
 * store ({@code StoreLimiter}), or Redis shared by every pipeline instance ({@code RedisLimiter}).
 * Both apply {@link TenantLimiter}'s rules to every key of a request at once, all or nothing,
 * idempotently by request id.
 */
public interface Limiter {

  /**
   * Reserves one request and {@code tokens} under every key, or refuses without counting anything.
   * Completes at once (state store) or on the limiter's own threads (Redis), never blocking the
   * caller; fails when the limiter cannot decide (Redis unreachable and {@code
   * RATE_LIMIT_ON_REDIS_DOWN=deny}).
   */
  CompletableFuture<LimitDecision> reserve(List<LimitKey> keys, String requestId, long tokens);

  /**
   * Settles {@code requestId} under every key with the tokens its call used (0: refused, failed or
   * timed out; everything reserved goes back). Never blocks; a settlement that cannot be made
   * (Redis unreachable) is given up: the reservation expires after its maximum age with its tokens
   * still counted, which errs on the tenant's side of the limit, never the provider's.
   */
  void settle(List<LimitKey> keys, String requestId, long usedTokens);
}

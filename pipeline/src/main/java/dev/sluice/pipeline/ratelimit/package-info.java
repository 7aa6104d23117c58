/**
 * Rate limits: a pure core (no Kafka, no Redis, no clock: time is an argument) and the {@link
 * dev.sluice.pipeline.ratelimit.Limiter}s that keep ledgers, of which {@link
 * dev.sluice.pipeline.ratelimit.RedisLimiter} restates the core in a Redis script.
 *
 * <p>A {@link dev.sluice.pipeline.ratelimit.LimitSpec} says a key's limits (requests per window,
 * tokens per minute, daily tokens, concurrent calls); a {@link
 * dev.sluice.pipeline.ratelimit.TenantLedger} holds what the key has used, as JSON in a state
 * store; {@link dev.sluice.pipeline.ratelimit.TenantLimiter} reserves and settles against it,
 * idempotently by request id, and states the algorithm a Redis script restates.
 */
package dev.sluice.pipeline.ratelimit;

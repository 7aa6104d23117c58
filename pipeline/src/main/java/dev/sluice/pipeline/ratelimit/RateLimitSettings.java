package dev.sluice.pipeline.ratelimit;

import dev.sluice.config.ConfigException;
import dev.sluice.config.Env;
import dev.sluice.policy.PolicyBundle;
import dev.sluice.policy.RateLimitPolicy;
import dev.sluice.policy.RateLimits;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * The gateway's rate limits from its environment: the defaults every tenant gets unless the policy
 * bundle's {@code rate_limits} say otherwise, and where the limiter keeps its state. Each limit is
 * off while its variable is unset; a value below 1 is an error rather than "off" or "refuse
 * everything", so a typo cannot do either silently.
 *
 * @param defaults {@code RATE_LIMIT_REQUESTS} per {@code RATE_LIMIT_WINDOW_MS} (default {@value
 *     RateLimits#DEFAULT_WINDOW_MS}), {@code RATE_LIMIT_TPM}, {@code RATE_LIMIT_DAILY_TOKENS},
 *     {@code RATE_LIMIT_CONCURRENT}
 * @param redis {@code REDIS_URL}: limiter state in Redis, shared by every pipeline instance; empty
 *     for the pipeline's own state store
 * @param onRedisDown {@code RATE_LIMIT_ON_REDIS_DOWN}: what a request gets while Redis does not
 *     answer; {@link RedisDown#DENY} (fail closed) unless set. Read, and ignored, without Redis.
 * @param batchMaxWaitMs {@code RATE_LIMIT_BATCH_MAX_WAIT_MS}: how long a batch request over its
 *     limits may be held, waiting for them, before it is refused (default a day, a batch's
 *     completion window)
 */
public record RateLimitSettings(
    RateLimits defaults,
    Optional<RedisSettings> redis,
    RedisDown onRedisDown,
    long batchMaxWaitMs) {

  /** A day: OpenAI's batch completion window. */
  public static final long DEFAULT_BATCH_MAX_WAIT_MS = 86_400_000L;

  /** What the limiter decides while Redis is unreachable. */
  public enum RedisDown {
    /** Refuse: no request passes a limit nobody can check (the default). */
    DENY,
    /** Admit: availability over the limits, for as long as Redis is down. */
    ALLOW
  }

  public RateLimitSettings {
    Objects.requireNonNull(defaults, "defaults");
    Objects.requireNonNull(redis, "redis");
    Objects.requireNonNull(onRedisDown, "onRedisDown");
    if (batchMaxWaitMs < 0) {
      throw new IllegalArgumentException("batchMaxWaitMs cannot be negative");
    }
  }

  public RateLimitSettings(
      RateLimits defaults, Optional<RedisSettings> redis, RedisDown onRedisDown) {
    this(defaults, redis, onRedisDown, DEFAULT_BATCH_MAX_WAIT_MS);
  }

  public static RateLimitSettings from(Env env) {
    OptionalLong requests = count("RATE_LIMIT_REQUESTS", env.get("RATE_LIMIT_REQUESTS"));
    OptionalLong window = number("RATE_LIMIT_WINDOW_MS", env.get("RATE_LIMIT_WINDOW_MS"));
    if (window.isPresent() && requests.isEmpty()) {
      throw new ConfigException("RATE_LIMIT_WINDOW_MS needs RATE_LIMIT_REQUESTS");
    }
    if (window.isPresent()
        && (window.getAsLong() < RateLimits.MIN_WINDOW_MS
            || window.getAsLong() > RateLimits.MAX_WINDOW_MS)) {
      throw new ConfigException(
          "RATE_LIMIT_WINDOW_MS must be from "
              + RateLimits.MIN_WINDOW_MS
              + " to "
              + RateLimits.MAX_WINDOW_MS);
    }
    if (requests.isPresent() && window.isEmpty()) {
      window = OptionalLong.of(RateLimits.DEFAULT_WINDOW_MS);
    }
    OptionalLong concurrent = count("RATE_LIMIT_CONCURRENT", env.get("RATE_LIMIT_CONCURRENT"));
    if (concurrent.isPresent() && concurrent.getAsLong() > Integer.MAX_VALUE) {
      throw new ConfigException("RATE_LIMIT_CONCURRENT must be at most " + Integer.MAX_VALUE);
    }
    return new RateLimitSettings(
        new RateLimits(
            requests,
            window,
            count("RATE_LIMIT_TPM", env.get("RATE_LIMIT_TPM")),
            count("RATE_LIMIT_DAILY_TOKENS", env.get("RATE_LIMIT_DAILY_TOKENS")),
            concurrent.isPresent()
                ? OptionalInt.of((int) concurrent.getAsLong())
                : OptionalInt.empty()),
        RedisSettings.from(env),
        redisDown(env.get("RATE_LIMIT_ON_REDIS_DOWN", "deny")),
        batchMaxWait(
            number("RATE_LIMIT_BATCH_MAX_WAIT_MS", env.get("RATE_LIMIT_BATCH_MAX_WAIT_MS"))));
  }

  /** The limits in force: these defaults under the bundle's {@code rate_limits}. */
  public RateLimitPolicy policy(PolicyBundle bundle) {
    return new RateLimitPolicy(defaults, bundle);
  }

  /** A limit's variable: unset is no limit, anything but a whole number from 1 an error. */
  private static OptionalLong count(String name, Optional<String> value) {
    OptionalLong parsed = number(name, value);
    if (parsed.isPresent() && parsed.getAsLong() < 1) {
      throw new ConfigException(name + " must be >= 1 (unset for no limit)");
    }
    return parsed;
  }

  private static OptionalLong number(String name, Optional<String> value) {
    if (value.isEmpty()) {
      return OptionalLong.empty();
    }
    try {
      return OptionalLong.of(Long.parseLong(value.get()));
    } catch (NumberFormatException e) {
      throw new ConfigException(name + " must be an integer");
    }
  }

  private static long batchMaxWait(OptionalLong value) {
    if (value.isPresent() && value.getAsLong() < 0) {
      throw new ConfigException("RATE_LIMIT_BATCH_MAX_WAIT_MS must be >= 0");
    }
    return value.orElse(DEFAULT_BATCH_MAX_WAIT_MS);
  }

  private static RedisDown redisDown(String value) {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "deny" -> RedisDown.DENY;
      case "allow" -> RedisDown.ALLOW;
      default -> throw new ConfigException("RATE_LIMIT_ON_REDIS_DOWN must be deny or allow");
    };
  }
}

package dev.sluice.egress.http;

import dev.sluice.config.ConfigException;
import dev.sluice.config.Env;
import java.time.Duration;
import java.util.Objects;

/**
 * How hard one provider call tries.
 *
 * @param attemptTimeout connect timeout, and the longest one attempt may take ({@code
 *     PROVIDER_TIMEOUT_MS}); an attempt also ends at the call's deadline
 * @param maxRetries retries after the first attempt on 429, 5xx and connection errors ({@code
 *     PROVIDER_MAX_RETRIES})
 * @param baseBackoff the first retry's backoff ceiling; it doubles per retry up to {@link
 *     #MAX_BACKOFF}, with jitter
 */
public record RetryPolicy(Duration attemptTimeout, int maxRetries, Duration baseBackoff) {
  public static final Duration DEFAULT_BASE_BACKOFF = Duration.ofMillis(200);
  public static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

  public RetryPolicy {
    Objects.requireNonNull(attemptTimeout, "attemptTimeout");
    Objects.requireNonNull(baseBackoff, "baseBackoff");
    if (attemptTimeout.isNegative() || attemptTimeout.isZero()) {
      throw new ConfigException("PROVIDER_TIMEOUT_MS must be > 0");
    }
    if (maxRetries < 0 || maxRetries > 10) {
      throw new ConfigException("PROVIDER_MAX_RETRIES must be between 0 and 10");
    }
    if (baseBackoff.isNegative()) {
      throw new ConfigException("the retry backoff must be >= 0");
    }
  }

  /** {@code PROVIDER_TIMEOUT_MS} (default 30000) and {@code PROVIDER_MAX_RETRIES} (default 2). */
  public static RetryPolicy from(Env env) {
    return new RetryPolicy(
        Duration.ofMillis(env.getLong("PROVIDER_TIMEOUT_MS", 30_000)),
        env.getInt("PROVIDER_MAX_RETRIES", 2),
        DEFAULT_BASE_BACKOFF);
  }
}

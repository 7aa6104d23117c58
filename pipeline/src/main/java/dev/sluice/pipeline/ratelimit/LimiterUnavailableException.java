package dev.sluice.pipeline.ratelimit;

/**
 * The limiter could not decide: Redis did not answer and {@code RATE_LIMIT_ON_REDIS_DOWN=deny}, so
 * the request is refused rather than let past limits nobody checked. The message names Redis's
 * address, never its credentials.
 */
public final class LimiterUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public LimiterUnavailableException(String address, Throwable cause) {
    super("the rate limiter cannot reach Redis at " + address, cause);
  }
}

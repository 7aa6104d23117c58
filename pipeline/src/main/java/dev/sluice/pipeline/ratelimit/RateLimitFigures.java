package dev.sluice.pipeline.ratelimit;

import dev.sluice.schemas.reply.RateLimitState;
import java.util.Map;

/** The limiter's figures as the reply carries them for OpenAI's {@code x-ratelimit-*} headers. */
final class RateLimitFigures {
  private RateLimitFigures() {}

  /**
   * Requests from the request limit; tokens from the tokens-per-minute limit, or from the daily
   * budget when that has less left (the one a caller runs into first). Null when there is nothing
   * to tell.
   */
  static RateLimitState of(Map<LimitKind, Headroom> headroom, Long retryAfterMs) {
    Headroom requests = headroom.get(LimitKind.REQUESTS);
    Headroom perMinute = headroom.get(LimitKind.TOKENS_PER_MINUTE);
    Headroom daily = headroom.get(LimitKind.DAILY_TOKENS);
    Headroom tokens =
        perMinute == null
            ? daily
            : daily == null || perMinute.remaining() <= daily.remaining() ? perMinute : daily;
    if (requests == null && tokens == null && retryAfterMs == null) {
      return null;
    }
    return new RateLimitState(
        requests == null ? null : requests.limit(),
        requests == null ? null : requests.remaining(),
        requests == null ? null : requests.resetMs(),
        tokens == null ? null : tokens.limit(),
        tokens == null ? null : tokens.remaining(),
        tokens == null ? null : tokens.resetMs(),
        retryAfterMs);
  }
}

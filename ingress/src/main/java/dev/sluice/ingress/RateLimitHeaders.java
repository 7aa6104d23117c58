package dev.sluice.ingress;

import dev.sluice.schemas.reply.RateLimitState;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The response headers OpenAI answers with about a caller's rate limits, made from the figures the
 * pipeline put on a reply, so clients and SDKs written for OpenAI read Sluice's limits unchanged.
 * Only the headers whose figure is present are written.
 */
final class RateLimitHeaders {
  static final String LIMIT_REQUESTS = "x-ratelimit-limit-requests";
  static final String REMAINING_REQUESTS = "x-ratelimit-remaining-requests";
  static final String RESET_REQUESTS = "x-ratelimit-reset-requests";
  static final String LIMIT_TOKENS = "x-ratelimit-limit-tokens";
  static final String REMAINING_TOKENS = "x-ratelimit-remaining-tokens";
  static final String RESET_TOKENS = "x-ratelimit-reset-tokens";
  static final String RETRY_AFTER = "Retry-After";
  static final String RETRY_AFTER_MS = "retry-after-ms";

  private static final long SECOND_MS = 1_000;
  private static final long MINUTE_MS = 60 * SECOND_MS;
  private static final long HOUR_MS = 60 * MINUTE_MS;

  private RateLimitHeaders() {}

  /**
   * The headers for a reply with {@code status}: the {@code x-ratelimit-*} figures of {@code
   * figures} (null: none), and {@code Retry-After} in seconds when the reply gives a wait ({@code
   * retryAfterSeconds}, or else the figures' {@code retryAfterMs} rounded up), at least 1 since a
   * client reads 0 as "now". {@code retry-after-ms} goes with a 429 only, as OpenAI sends it: the
   * SDKs read it before {@code Retry-After} and wait for exactly that long.
   *
   * @return header name to value, in a stable order
   */
  static Map<String, String> of(int status, RateLimitState figures, Integer retryAfterSeconds) {
    Map<String, String> headers = new LinkedHashMap<>();
    Long retryAfterMs = null;
    if (figures != null) {
      put(headers, LIMIT_REQUESTS, figures.limitRequests());
      put(headers, REMAINING_REQUESTS, figures.remainingRequests());
      if (figures.resetRequestsMs() != null) {
        headers.put(RESET_REQUESTS, goDuration(figures.resetRequestsMs()));
      }
      put(headers, LIMIT_TOKENS, figures.limitTokens());
      put(headers, REMAINING_TOKENS, figures.remainingTokens());
      if (figures.resetTokensMs() != null) {
        headers.put(RESET_TOKENS, goDuration(figures.resetTokensMs()));
      }
      retryAfterMs = figures.retryAfterMs();
    }
    if (retryAfterSeconds != null) {
      headers.put(RETRY_AFTER, Long.toString(Math.max(1L, retryAfterSeconds)));
    } else if (retryAfterMs != null) {
      headers.put(RETRY_AFTER, Long.toString(retryAfterSeconds(retryAfterMs)));
    }
    if (status == 429 && retryAfterMs != null) {
      headers.put(RETRY_AFTER_MS, Long.toString(Math.max(0L, retryAfterMs)));
    }
    return headers;
  }

  /** Whole seconds to wait for {@code ms}, rounded up, at least 1. */
  static long retryAfterSeconds(long ms) {
    return Math.max(1L, ms / SECOND_MS + (ms % SECOND_MS > 0 ? 1 : 0));
  }

  /**
   * {@code ms} the way OpenAI writes its reset headers, which is Go's {@code time.Duration} format:
   * {@code 0s}, {@code 20ms} under a second, else hours, minutes and seconds with the leading zero
   * units left out and the seconds' fraction without trailing zeros ({@code 1s}, {@code 1.5s},
   * {@code 6m0s}, {@code 1h2m3s}, {@code 1h0m0s}); hours are not folded into days. A negative
   * figure (a clock step) is written as {@code 0s}: the limit is whole now.
   */
  static String goDuration(long ms) {
    if (ms <= 0) {
      return "0s";
    }
    if (ms < SECOND_MS) {
      return ms + "ms";
    }
    StringBuilder text = new StringBuilder();
    long hours = ms / HOUR_MS;
    long minutes = ms % HOUR_MS / MINUTE_MS;
    if (hours > 0) {
      text.append(hours).append('h');
    }
    if (hours > 0 || minutes > 0) {
      text.append(minutes).append('m');
    }
    text.append(ms % MINUTE_MS / SECOND_MS);
    long millis = ms % SECOND_MS;
    if (millis > 0) {
      // Three digits, trailing zeros dropped: 5 -> .005, 50 -> .05, 500 -> .5. Arithmetic, not
      // String.format and a regex: every answer writes two of these.
      int digits = 3;
      while (millis % 10 == 0) {
        millis /= 10;
        digits--;
      }
      text.append('.');
      for (int width = Long.toString(millis).length(); width < digits; width++) {
        text.append('0');
      }
      text.append(millis);
    }
    return text.append('s').toString();
  }

  private static void put(Map<String, String> headers, String name, Long figure) {
    if (figure != null) {
      headers.put(name, Long.toString(figure));
    }
  }
}

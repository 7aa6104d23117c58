package dev.sluice.schemas.reply;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A tenant's rate-limit figures when its request was decided, carried by the reply so the ingress
 * can answer with OpenAI's {@code x-ratelimit-*} headers (on successful answers too) and, with a
 * 429, {@code retry-after-ms}. Every field is optional: a figure is present only when the tenant
 * has that limit.
 *
 * @param limitRequests requests allowed per window ({@code x-ratelimit-limit-requests})
 * @param remainingRequests requests left in the window ({@code x-ratelimit-remaining-requests})
 * @param resetRequestsMs milliseconds until the request limit is whole again ({@code
 *     x-ratelimit-reset-requests})
 * @param limitTokens tokens allowed: the tokens-per-minute limit, or the daily budget when the
 *     daily budget has less left ({@code x-ratelimit-limit-tokens})
 * @param remainingTokens tokens left under that limit ({@code x-ratelimit-remaining-tokens})
 * @param resetTokensMs milliseconds until that limit is whole again ({@code
 *     x-ratelimit-reset-tokens})
 * @param retryAfterMs with a 429: milliseconds until the refused request would fit ({@code
 *     retry-after-ms})
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RateLimitState(
    Long limitRequests,
    Long remainingRequests,
    Long resetRequestsMs,
    Long limitTokens,
    Long remainingTokens,
    Long resetTokensMs,
    Long retryAfterMs) {

  /** No figure at all: the tenant has no request or token limit. */
  public boolean empty() {
    return limitRequests == null && limitTokens == null && retryAfterMs == null;
  }
}

package dev.sluice.pipeline.ratelimit;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.sluice.policy.RateLimits;

/**
 * A tenant's (or a tenant and model's) limits. Every limit is optional: null means unlimited.
 *
 * @param requests requests per window, or null
 * @param tokensPerMinute tokens reserved per 60 s (sliding, see {@link TenantLimiter}), or null
 * @param dailyTokens tokens reserved per UTC day, or null
 * @param concurrent provider calls in flight at once, or null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LimitSpec(
    RequestLimit requests, Long tokensPerMinute, Long dailyTokens, Integer concurrent) {
  /** No limit at all. */
  public static final LimitSpec UNLIMITED = new LimitSpec(null, null, null, null);

  public LimitSpec {
    atLeastOne("tokens per minute", tokensPerMinute);
    atLeastOne("daily tokens", dailyTokens);
    atLeastOne("concurrent calls", concurrent == null ? null : concurrent.longValue());
  }

  /** The limits a policy scope resolved to ({@link dev.sluice.policy.RateLimits}). */
  public static LimitSpec of(RateLimits limits) {
    if (limits.unlimited()) {
      return UNLIMITED;
    }
    return new LimitSpec(
        limits.requests().isPresent()
            ? new RequestLimit(limits.requests().getAsLong(), limits.window())
            : null,
        limits.tokensPerMinute().isPresent() ? limits.tokensPerMinute().getAsLong() : null,
        limits.dailyTokens().isPresent() ? limits.dailyTokens().getAsLong() : null,
        limits.concurrent().isPresent() ? limits.concurrent().getAsInt() : null);
  }

  /** Whether no limit is set. */
  @JsonIgnore
  public boolean unlimited() {
    return requests == null && tokensPerMinute == null && dailyTokens == null && concurrent == null;
  }

  private static void atLeastOne(String what, Long value) {
    if (value != null && value < 1) {
      throw new IllegalArgumentException(
          what + " must be at least 1 (leave the limit unset for none): " + value);
    }
  }
}

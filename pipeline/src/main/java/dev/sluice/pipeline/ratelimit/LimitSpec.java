package dev.sluice.pipeline.ratelimit;

import com.fasterxml.jackson.annotation.JsonInclude;

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

  private static void atLeastOne(String what, Long value) {
    if (value != null && value < 1) {
      throw new IllegalArgumentException(
          what + " must be at least 1 (leave the limit unset for none): " + value);
    }
  }
}

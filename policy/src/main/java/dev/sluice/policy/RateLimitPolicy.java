package dev.sluice.policy;

import dev.sluice.schemas.envelope.Source;
import java.util.Objects;

/**
 * The rate limits in force: the gateway's defaults (the {@code RATE_LIMIT_*} variables) under the
 * local policy bundle's {@code rate_limits} sections, in the order {@link TenantRateLimits}
 * describes. In OPA mode too the limits come from here: OPA is told them, it does not set them.
 *
 * @param defaults the gateway's defaults, for every tenant and model
 */
public record RateLimitPolicy(RateLimits defaults, PolicyBundle bundle) {

  /** No limits anywhere. */
  public static RateLimitPolicy none() {
    return new RateLimitPolicy(RateLimits.NONE, PolicyBundle.empty());
  }

  public RateLimitPolicy {
    Objects.requireNonNull(defaults, "defaults");
    Objects.requireNonNull(bundle, "bundle");
  }

  /** The limits for one request: a tenant's, for a resolved model, from a source. */
  public RateLimits forRequest(String tenant, String model, Source source) {
    return bundle.forTenant(tenant).rateLimits().forRequest(model, source, defaults);
  }
}

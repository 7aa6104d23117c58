package dev.sluice.policy;

import dev.sluice.schemas.envelope.Source;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

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

  /**
   * Whether any limit is set: in the defaults, or in the {@code rate_limits} of {@code
   * default.yaml} or of a tenant's file.
   */
  public boolean anySet() {
    if (!defaults.unlimited()) {
      return true;
    }
    Set<String> tenants = new HashSet<>(bundle.tenantsWithOverrides());
    tenants.add(""); // a tenant without a file of its own still gets default.yaml's section
    for (String tenant : tenants) {
      for (TenantRateLimits.Section section : bundle.forTenant(tenant).rateLimits().sections()) {
        if (!section.limits().unlimited()
            || !section.batch().unlimited()
            || section.models().values().stream().anyMatch(l -> !l.unlimited())) {
          return true;
        }
      }
    }
    return false;
  }

  /** The ledgers one request is counted in; see {@link TenantRateLimits#ledgers}. */
  public List<TenantRateLimits.ScopedLimits> ledgers(String tenant, String model, Source source) {
    return bundle.forTenant(tenant).rateLimits().ledgers(model, source, defaults);
  }

  /** The limits for one request: a tenant's, for a resolved model, from a source. */
  public RateLimits forRequest(String tenant, String model, Source source) {
    return bundle.forTenant(tenant).rateLimits().forRequest(model, source, defaults);
  }
}

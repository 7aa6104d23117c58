package dev.sluice.pipeline.provider;

import dev.sluice.config.ConfigException;
import dev.sluice.policy.ModelAccess;
import dev.sluice.policy.PolicyBundle;
import dev.sluice.policy.TenantPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * The models the provider stage tries for a request, in order: the resolved model, then the
 * tenant's fallbacks for it ({@code models.fallbacks} in the policy bundle). Every fallback must be
 * a model the tenant could have asked for directly, which {@link #check} proves at start-up, so a
 * fallback can never reach a model or provider the policy keeps a tenant from.
 */
@FunctionalInterface
public interface ModelChains {

  /** The models to try for a request of {@code tenant} that resolved to {@code resolvedModel}. */
  List<String> chain(String tenant, String resolvedModel);

  /** No fallbacks: every request tries its own model only. */
  static ModelChains none() {
    return (tenant, resolvedModel) -> List.of(resolvedModel);
  }

  /** The chains of each tenant's policy. */
  static ModelChains fromPolicy(Function<String, TenantPolicy> policyForTenant) {
    Objects.requireNonNull(policyForTenant, "policyForTenant");
    return (tenant, resolvedModel) -> policyForTenant.apply(tenant).modelChain(resolvedModel);
  }

  /**
   * Refuses a bundle in which some tenant could fall back to a model it may not use: one outside
   * {@code ALLOWED_MODELS} and its allowed models, or of a provider it may not use.
   *
   * @param tenants the tenants with files of their own; the defaults are checked as tenant {@code
   *     -}
   */
  static void check(ModelAccess models, PolicyBundle bundle, Set<String> tenants) {
    List<String> all = new ArrayList<>(tenants);
    all.add("-");
    for (String tenant : all) {
      TenantPolicy policy = bundle.forTenant(tenant);
      Set<String> allowed = models.forTenant(tenant).usable();
      for (Map.Entry<String, List<String>> entry : policy.fallbacks().entrySet()) {
        if (!allowed.contains(entry.getKey())) {
          continue; // the tenant cannot ask for this model, so its chain never starts
        }
        for (String fallback : entry.getValue()) {
          if (!allowed.contains(fallback) || !policy.providerAllowed(fallback)) {
            throw new ConfigException(
                "policy: models.fallbacks."
                    + entry.getKey()
                    + " falls back to "
                    + fallback
                    + ", which tenant "
                    + tenant
                    + " may not use (ALLOWED_MODELS, models.allowed, providers.allowed)");
          }
        }
      }
    }
  }
}

package dev.sluice.pipeline;

import dev.sluice.auth.AuthSettings;
import dev.sluice.config.ConfigException;
import dev.sluice.config.Env;
import dev.sluice.egress.ConfiguredProviders;
import dev.sluice.egress.circuit.CircuitSettings;
import dev.sluice.pipeline.firewall.ContextOrigins;
import dev.sluice.pipeline.firewall.FirewallSettings;
import dev.sluice.pipeline.provider.ModelChains;
import dev.sluice.pipeline.ratelimit.RateLimitSettings;
import dev.sluice.pipeline.redaction.TenantRedaction;
import dev.sluice.pipeline.validation.ValidationLimits;
import dev.sluice.policy.EnabledModels;
import dev.sluice.policy.ModelAccess;
import dev.sluice.policy.OpaSettings;
import dev.sluice.policy.PolicyBundle;
import dev.sluice.policy.RateLimitPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Everything the pipeline reads from its environment and its policy bundle, parsed and checked
 * once, before anything starts: a wrong value stops start-up with a message naming the variable (or
 * the policy file), never the value. Nothing here opens a connection or starts a thread; {@link
 * PipelineWiring} builds the running parts from it.
 *
 * @param models which models each tenant may use ({@code ALLOWED_MODELS} narrowed by its policy)
 * @param opa OPA's address and timeout; in LOCAL policy mode it has no URL
 * @param rateLimits the gateway's default rate limits and where the limiter keeps its state; the
 *     bundle's {@code rate_limits} apply over the defaults ({@link #rateLimitPolicy()})
 */
public record PipelineConfig(
    PipelineSettings pipeline,
    AuthSettings auth,
    ValidationLimits limits,
    ContextOrigins contextOrigins,
    FirewallSettings firewall,
    PolicyBundle policy,
    ModelAccess models,
    TenantRedaction redaction,
    OpaSettings opa,
    ConfiguredProviders providers,
    CircuitSettings circuit,
    RateLimitSettings rateLimits) {

  public PipelineConfig {
    Objects.requireNonNull(pipeline, "pipeline");
    Objects.requireNonNull(auth, "auth");
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(contextOrigins, "contextOrigins");
    Objects.requireNonNull(firewall, "firewall");
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(models, "models");
    Objects.requireNonNull(redaction, "redaction");
    Objects.requireNonNull(opa, "opa");
    Objects.requireNonNull(providers, "providers");
    Objects.requireNonNull(circuit, "circuit");
    Objects.requireNonNull(rateLimits, "rateLimits");
    // A tenant's bundle may name a fallback it could not ask for itself, or firewall settings out
    // of range: both are found now rather than on that tenant's first request.
    ModelChains.check(models, policy, policy.tenantsWithOverrides());
    for (String tenant : tenants(policy)) {
      firewall.forTenant(policy.forTenant(tenant));
    }
  }

  /**
   * @throws ConfigException on a missing or wrong variable
   * @throws dev.sluice.policy.PolicyException on an unreadable or invalid policy bundle
   */
  public static PipelineConfig from(Env env) {
    PolicyBundle policy = PolicyBundle.configured(env);
    return new PipelineConfig(
        PipelineSettings.from(env),
        AuthSettings.from(env),
        ValidationLimits.from(env),
        ContextOrigins.from(env),
        FirewallSettings.from(env),
        policy,
        new ModelAccess(EnabledModels.from(env), policy),
        TenantRedaction.from(env, policy),
        OpaSettings.from(env),
        ConfiguredProviders.from(env),
        CircuitSettings.from(env),
        RateLimitSettings.from(env));
  }

  /** The rate limits in force, in local and OPA mode alike: the defaults under the bundle's. */
  public RateLimitPolicy rateLimitPolicy() {
    return rateLimits.policy(policy);
  }

  /** {@code LOCAL} or {@code OPA}, as every audit record says. */
  public String policyMode() {
    return opa.mode().name();
  }

  /** The default tenant and every tenant the bundle overrides. */
  private static List<String> tenants(PolicyBundle policy) {
    List<String> tenants = new ArrayList<>();
    tenants.add("-");
    tenants.addAll(policy.tenantsWithOverrides());
    return tenants;
  }
}

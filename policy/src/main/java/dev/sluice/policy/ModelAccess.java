package dev.sluice.policy;

import dev.sluice.config.ConfigException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one owner of which models a tenant may use: the models enabled on this gateway ({@code
 * ALLOWED_MODELS}) narrowed by the tenant's policy, with its aliases resolved first and then bare
 * names ({@code gpt-4o-mini} for the one enabled {@code openai:gpt-4o-mini}). The pipeline's
 * validation asks it for each request's {@link ModelDecision}, the ingress for the list {@code GET
 * /v1/models} shows, start-up for the models each provider serves; none of them recomputes it.
 */
public final class ModelAccess {
  /** Who {@code /v1/models} says owns a model without a provider prefix (the built-in stub). */
  static final String BUILT_IN_OWNER = "sluice";

  private final EnabledModels gateway;
  private final PolicyBundle bundle;
  // Bare names served by exactly one enabled model, and what they resolve to.
  private final Map<String, String> bareNames;
  // Tenants and the bundle never change while the gateway runs: each tenant is worked out once.
  private final Map<String, TenantModels> tenants = new ConcurrentHashMap<>();

  /**
   * @throws ConfigException when a bare model name is served by two enabled models and no alias of
   *     {@code default.yaml} says which one it means
   */
  public ModelAccess(EnabledModels gateway, PolicyBundle bundle) {
    this.gateway = Objects.requireNonNull(gateway, "gateway");
    this.bundle = Objects.requireNonNull(bundle, "bundle");
    Map<String, String> unique = new HashMap<>();
    Map<String, String> defaultAliases = bundle.defaults().aliases();
    gateway
        .byBareName()
        .forEach(
            (bare, served) -> {
              if (served.size() == 1) {
                unique.put(bare, served.get(0));
              } else if (!defaultAliases.containsKey(bare)) {
                throw new ConfigException(
                    "the model name "
                        + bare
                        + " is served by "
                        + String.join(" and ", served)
                        + " (ALLOWED_MODELS); add an alias to the policy's default.yaml"
                        + " (models.aliases: {"
                        + bare
                        + ": "
                        + served.get(0)
                        + "}) to say which one a request naming "
                        + bare
                        + " means");
              }
            });
    this.bareNames = Map.copyOf(unique);
  }

  /** The models enabled on this gateway, before any tenant's policy. */
  public EnabledModels enabled() {
    return gateway;
  }

  public TenantModels forTenant(String tenant) {
    return tenants.computeIfAbsent(
        tenant, name -> TenantModels.of(gateway, bundle.forTenant(name), bareNames));
  }

  /** Whether {@code tenant} may use the model {@code requested} names, and what it resolves to. */
  public ModelDecision decide(String tenant, String requested) {
    TenantModels models = forTenant(tenant);
    String model = models.resolve(requested);
    if (models.usable().contains(model)) {
      return new ModelDecision.Allowed(requested, model);
    }
    return new ModelDecision.Refused(
        requested,
        model,
        gateway.contains(model)
            ? ModelDecision.RefusedBy.TENANT_POLICY
            : ModelDecision.RefusedBy.GATEWAY);
  }

  /** What {@code GET /v1/models} shows {@code tenant}. */
  public List<ListedModel> listed(String tenant) {
    return forTenant(tenant).listed();
  }

  /**
   * The enabled models by the provider that would serve each (by name, sorted), for the start-up
   * log: a model whose provider is not configured can never answer.
   */
  public Map<String, List<String>> modelsByProvider() {
    Map<String, List<String>> byProvider = new TreeMap<>();
    for (String model : new TreeSet<>(gateway.models())) {
      byProvider.computeIfAbsent(providerOf(model), provider -> new ArrayList<>()).add(model);
    }
    byProvider.replaceAll((provider, models) -> List.copyOf(models));
    return byProvider;
  }

  /**
   * The provider a resolved model goes to: the part before {@code :}, or the whole name when it is
   * a provider itself ({@code stub}), as the egress router reads it.
   */
  public static String providerOf(String model) {
    int colon = model.indexOf(':');
    return colon < 0 ? model : model.substring(0, colon);
  }

  static String ownerOf(String model) {
    int colon = model.indexOf(':');
    return colon < 0 ? BUILT_IN_OWNER : model.substring(0, colon);
  }
}

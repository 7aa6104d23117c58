package dev.sluice.policy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The models one tenant may use, worked out once from the gateway's enabled models and the tenant's
 * policy ({@link ModelAccess#forTenant}).
 *
 * @param usable resolved model names the tenant may use: enabled on the gateway and, when its
 *     policy lists {@code models.allowed}, listed there too
 * @param aliases the tenant's short names and what each resolves to, usable or not
 * @param bareNames bare model names served by exactly one enabled model, and that model
 * @param listed what {@code GET /v1/models} shows: every name a request may send and be allowed
 *     (the usable models, and the aliases that resolve to one), sorted by name
 */
public record TenantModels(
    Set<String> usable,
    Map<String, String> aliases,
    Map<String, String> bareNames,
    List<ListedModel> listed) {

  public TenantModels {
    usable = Set.copyOf(usable);
    aliases = Map.copyOf(aliases);
    bareNames = Map.copyOf(bareNames);
    listed = List.copyOf(listed);
  }

  /**
   * @param bareNames bare names served by exactly one enabled model, and that model
   */
  static TenantModels of(
      EnabledModels gateway, TenantPolicy policy, Map<String, String> bareNames) {
    Objects.requireNonNull(gateway, "gateway");
    Set<String> usable = new HashSet<>(gateway.models());
    policy.allowedModels().ifPresent(usable::retainAll);
    // The same rule as ModelAccess.decide, applied to every name a caller could send and be
    // allowed, so the list and the decision cannot disagree.
    Set<String> names = new TreeSet<>(usable);
    names.addAll(policy.aliases().keySet());
    names.addAll(bareNames.keySet());
    List<ListedModel> listed = new ArrayList<>();
    TenantModels models = new TenantModels(usable, policy.aliases(), bareNames, List.of());
    for (String name : names) {
      String model = models.resolve(name);
      if (usable.contains(model)) {
        listed.add(new ListedModel(name, model, ModelAccess.ownerOf(model)));
      }
    }
    return new TenantModels(usable, policy.aliases(), bareNames, listed);
  }

  /**
   * The model a request names: an alias first, else a name enabled as it is, else a bare name
   * ({@code gpt-4o-mini}) that exactly one enabled model serves.
   */
  public String resolve(String requested) {
    String aliased = aliases.get(requested);
    if (aliased != null) {
      return aliased;
    }
    if (usable.contains(requested)) {
      return requested;
    }
    return bareNames.getOrDefault(requested, requested);
  }
}

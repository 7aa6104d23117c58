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
 * @param listed what {@code GET /v1/models} shows: every name a request may send and be allowed
 *     (the usable models, and the aliases that resolve to one), sorted by name
 */
public record TenantModels(
    Set<String> usable, Map<String, String> aliases, List<ListedModel> listed) {

  public TenantModels {
    usable = Set.copyOf(usable);
    aliases = Map.copyOf(aliases);
    listed = List.copyOf(listed);
  }

  static TenantModels of(EnabledModels gateway, TenantPolicy policy) {
    Objects.requireNonNull(gateway, "gateway");
    Set<String> usable = new HashSet<>(gateway.models());
    policy.allowedModels().ifPresent(usable::retainAll);
    // The same rule as ModelAccess.decide, applied to every name a caller could send and be
    // allowed, so the list and the decision cannot disagree.
    Set<String> names = new TreeSet<>(usable);
    names.addAll(policy.aliases().keySet());
    List<ListedModel> listed = new ArrayList<>();
    for (String name : names) {
      String model = policy.aliases().getOrDefault(name, name);
      if (usable.contains(model)) {
        listed.add(new ListedModel(name, model, ModelAccess.ownerOf(model)));
      }
    }
    return new TenantModels(usable, policy.aliases(), listed);
  }

  /** The model a request names, after aliases. */
  public String resolve(String requested) {
    return aliases.getOrDefault(requested, requested);
  }
}

package dev.sluice.pipeline.redaction;

import dev.sluice.config.ConfigException;
import dev.sluice.config.Env;
import dev.sluice.pipeline.redaction.internals.PhoneNumbers;
import dev.sluice.policy.PolicyBundle;
import dev.sluice.policy.TenantPolicy;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which redactor each tenant gets: {@code REDACTION_TYPES} (default {@code all}) and {@code
 * REDACT_PROMPTS} (default false), overridden by the tenant's policy ({@code redaction.types},
 * {@code redaction.redact_prompts}). Every type name in the environment and the bundle is checked
 * at start, so a typo stops start-up instead of silently redacting less; so is {@code
 * REDACTION_PHONE_REGION} (default {@code US}), the region whose national phone formats every
 * tenant's redactor reads.
 */
public final class TenantRedaction {
  private final Set<RedactionType> defaultTypes;
  private final boolean defaultRedactPrompts;
  private final PolicyBundle bundle;
  private final String phoneRegion;
  private final Map<Set<RedactionType>, Redactor> redactors = new ConcurrentHashMap<>();
  private final Map<String, Redactor> byTenant = new ConcurrentHashMap<>();

  private TenantRedaction(
      Set<RedactionType> defaultTypes,
      boolean defaultRedactPrompts,
      String phoneRegion,
      PolicyBundle bundle) {
    this.defaultTypes = Set.copyOf(defaultTypes);
    this.phoneRegion = phoneRegion;
    this.defaultRedactPrompts = defaultRedactPrompts;
    this.bundle = bundle;
  }

  public static TenantRedaction from(Env env, PolicyBundle bundle) {
    // One region for every tenant: national phone formats are read as this region writes them.
    String phoneRegion;
    try {
      phoneRegion =
          PhoneNumbers.checkedRegion(
              env.get("REDACTION_PHONE_REGION", PhoneNumbers.DEFAULT_REGION));
    } catch (IllegalArgumentException e) {
      throw new ConfigException("REDACTION_PHONE_REGION: " + e.getMessage());
    }
    TenantRedaction redaction =
        new TenantRedaction(
            types("REDACTION_TYPES", List.of(env.get("REDACTION_TYPES", "all").split(","))),
            env.getBoolean("REDACT_PROMPTS", false),
            phoneRegion,
            bundle);
    // Resolve every tenant with a policy file now: a bad type name fails here, not per request.
    redaction.answers("-");
    for (String tenant : bundle.tenantsWithOverrides()) {
      redaction.answers(tenant);
    }
    return redaction;
  }

  /** The redactor for a tenant's answers. */
  public Redactor answers(String tenant) {
    // Asked on every answer; the bundle never changes, so each tenant is resolved once.
    return byTenant.computeIfAbsent(tenant, this::resolve);
  }

  private Redactor resolve(String tenant) {
    TenantPolicy policy = bundle.forTenant(tenant);
    Set<RedactionType> types =
        policy.redactionTypes() == null
            ? defaultTypes
            : types("redaction.types of " + tenant, policy.redactionTypes());
    return redactors.computeIfAbsent(types, t -> Redactor.create(t, phoneRegion));
  }

  /** The redactor for a tenant's prompts, or null when its prompts go out unchanged. */
  public Redactor prompts(String tenant) {
    Boolean own = bundle.forTenant(tenant).redactPrompts();
    return (own == null ? defaultRedactPrompts : own) ? answers(tenant) : null;
  }

  private static Set<RedactionType> types(String where, List<String> names) {
    if (names.stream().anyMatch(name -> name.trim().equalsIgnoreCase("all"))) {
      return RedactionType.all();
    }
    try {
      return RedactionType.parseList(String.join(",", names));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(where + ": " + e.getMessage());
    }
  }
}

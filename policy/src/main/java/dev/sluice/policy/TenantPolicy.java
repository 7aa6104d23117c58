package dev.sluice.policy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The policy in force for one tenant: its bundle file over the defaults.
 *
 * @param allowedModels resolved model names the tenant may use, or empty when the bundle does not
 *     restrict them (then {@code ALLOWED_MODELS} alone decides)
 * @param aliases short model names and what they resolve to
 * @param fallbacks for a resolved model, the models to try in order when it fails with a retryable
 *     error or its circuit is open
 * @param allowedProviders providers the tenant's requests may go to (the part of a model name
 *     before {@code :}), or empty when the bundle does not restrict them
 * @param maxMessages cap on messages, or null for the gateway default
 * @param maxMessageChars cap on one message's characters, or null for the gateway default
 * @param maxTokens cap on {@code max_tokens}, or null for the gateway default
 * @param contextFirewallMode {@code block}, {@code flag} or {@code off} for retrieved context, or
 *     null for the gateway default
 * @param promptFirewallMode the same for the caller's own prompt, or null
 * @param firewallSensitivity 1 to 10 (higher blocks at lower risk), or null
 * @param spotlightMode how retrieved context is marked for the model ({@code delimit}, {@code
 *     datamark} or {@code off}), or null for the gateway default ({@code delimit})
 * @param stripHiddenText whether invisible carriers of text are stripped before the provider, or
 *     null for the gateway default ({@code STRIP_HIDDEN_TEXT})
 * @param redactionTypes the redaction types switched on (names, or {@code all}), or null for the
 *     gateway default ({@code REDACTION_TYPES})
 * @param redactPrompts whether prompts are redacted before the provider, or null for the gateway
 *     default ({@code REDACT_PROMPTS})
 * @param denials every rule of the defaults and of the tenant's file
 * @param rateLimits the {@code rate_limits} sections of the defaults and of the tenant's file, to
 *     be resolved per model and source over the gateway's defaults ({@link RateLimitPolicy})
 * @param passthroughUnknownFields whether request fields outside OpenAI's Chat Completions API go
 *     to the provider as they are ({@code request_fields.passthrough_unknown_fields}), or null for
 *     the default: refused with 400 {@code unsupported_parameter}
 * @param providerStorage whether {@code store} and {@code metadata} may reach the provider, which
 *     then keeps the prompt and answer ({@code request_fields.provider_storage}), or null for the
 *     default: allowed
 */
public record TenantPolicy(
    Optional<Set<String>> allowedModels,
    Map<String, String> aliases,
    Map<String, List<String>> fallbacks,
    Optional<Set<String>> allowedProviders,
    Integer maxMessages,
    Integer maxMessageChars,
    Integer maxTokens,
    String contextFirewallMode,
    String promptFirewallMode,
    Integer firewallSensitivity,
    String spotlightMode,
    Boolean stripHiddenText,
    List<String> redactionTypes,
    Boolean redactPrompts,
    List<DenyRule> denials,
    TenantRateLimits rateLimits,
    Boolean passthroughUnknownFields,
    Boolean providerStorage) {

  public TenantPolicy {
    allowedModels = allowedModels.map(Set::copyOf);
    allowedProviders = allowedProviders.map(Set::copyOf);
    aliases = Map.copyOf(aliases);
    Map<String, List<String>> copied = new HashMap<>();
    fallbacks.forEach((model, chain) -> copied.put(model, List.copyOf(chain)));
    fallbacks = Map.copyOf(copied);
    redactionTypes = redactionTypes == null ? null : List.copyOf(redactionTypes);
    denials = List.copyOf(denials);
    Objects.requireNonNull(rateLimits, "rateLimits");
  }

  /** Whether unknown request fields pass to the provider: off unless the policy opts in. */
  public boolean passesUnknownFields() {
    return Boolean.TRUE.equals(passthroughUnknownFields);
  }

  /**
   * Whether {@code store} and {@code metadata} may reach the provider: on unless the policy says.
   */
  public boolean allowsProviderStorage() {
    return !Boolean.FALSE.equals(providerStorage);
  }

  /** The model a request names, after aliases. */
  public String resolve(String model) {
    return aliases.getOrDefault(model, model);
  }

  /** The models to try for a resolved model, in order: itself, then its fallbacks. */
  public List<String> modelChain(String resolvedModel) {
    List<String> then = fallbacks.get(resolvedModel);
    if (then == null) {
      return List.of(resolvedModel);
    }
    List<String> chain = new ArrayList<>(then.size() + 1);
    chain.add(resolvedModel);
    chain.addAll(then);
    return List.copyOf(chain);
  }

  /** Whether a resolved model's provider may serve this tenant. */
  public boolean providerAllowed(String model) {
    int colon = model.indexOf(':');
    String provider = colon < 0 ? model : model.substring(0, colon);
    return allowedProviders.map(allowed -> allowed.contains(provider)).orElse(true);
  }

  /** The first rule that denies these facts, if any. */
  public Optional<DenyRule> denial(DenyRule.Facts facts) {
    return denials.stream().filter(rule -> rule.matches(facts)).findFirst();
  }
}

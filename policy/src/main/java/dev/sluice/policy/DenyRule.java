package dev.sluice.policy;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Objects;

/**
 * A denial: a request matching every condition given is refused with {@code reason}. Conditions
 * left out match anything; a rule with no condition denies every request of its tenants.
 *
 * @param models resolved model names
 * @param subjects token subjects ({@code sub})
 * @param contextSources source prefixes of retrieved context (any chunk's source), compared in
 *     canonical form ({@link ContextSources}) so a spelling such as {@code KB://internal%2Fhr}
 *     cannot slip past {@code kb://internal/}
 * @param maxTokensAbove deny when {@code max_tokens} is above this
 */
public record DenyRule(
    String reason,
    List<String> models,
    List<String> subjects,
    @JsonProperty("context_sources") List<String> contextSources,
    @JsonProperty("max_tokens_above") Integer maxTokensAbove) {

  public DenyRule {
    Objects.requireNonNull(reason, "reason");
    models = models == null ? List.of() : List.copyOf(models);
    subjects = subjects == null ? List.of() : List.copyOf(subjects);
    contextSources =
        contextSources == null
            ? List.of()
            : ContextSources.canonicalPrefixes(contextSources, "deny rule '" + reason + "'");
  }

  /** What a rule looks at in a request. */
  public record Facts(
      String model, String subject, Integer maxTokens, List<String> contextSources) {
    public Facts {
      contextSources = contextSources == null ? List.of() : List.copyOf(contextSources);
    }
  }

  public boolean matches(Facts facts) {
    if (!models.isEmpty() && !models.contains(facts.model())) {
      return false;
    }
    if (!subjects.isEmpty() && !subjects.contains(facts.subject())) {
      return false;
    }
    if (!contextSources.isEmpty()
        && facts.contextSources().stream().noneMatch(this::coversSource)) {
      return false;
    }
    return maxTokensAbove == null
        || (facts.maxTokens() != null && facts.maxTokens() > maxTokensAbove);
  }

  /**
   * Whether a chunk's source falls under one of this rule's prefixes. A source without a canonical
   * form counts as covered: the firewall refuses such sources before policy runs, and if one ever
   * got here a deny rule must not be the check that lets it through.
   */
  private boolean coversSource(String source) {
    return ContextSources.canonical(source)
        .map(canonical -> contextSources.stream().anyMatch(canonical::startsWith))
        .orElse(true);
  }
}

package dev.sluice.pipeline.firewall;

import dev.sluice.config.Env;
import dev.sluice.policy.ContextSources;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The allowlist of places retrieved context may come from ({@code ALLOWED_CONTEXT_ORIGINS}, a comma
 * list of prefixes such as {@code kb://approved/}). Sources and prefixes are compared in their
 * canonical form ({@link ContextSources}), so a source cannot escape its prefix by spelling; a
 * source without a canonical form is refused outright.
 */
public final class ContextOrigins {
  private final List<String> prefixes;

  private ContextOrigins(List<String> prefixes) {
    this.prefixes = List.copyOf(prefixes);
  }

  /** An allowlist of the given prefixes; a prefix that cannot be normalised is a config error. */
  public static ContextOrigins of(List<String> prefixes) {
    return new ContextOrigins(
        ContextSources.canonicalPrefixes(
            prefixes.stream().map(String::trim).filter(prefix -> !prefix.isEmpty()).toList(),
            "ALLOWED_CONTEXT_ORIGINS"));
  }

  /** {@code ALLOWED_CONTEXT_ORIGINS}; unset allows no retrieved context at all. */
  public static ContextOrigins from(Env env) {
    return parse(env.get("ALLOWED_CONTEXT_ORIGINS", ""));
  }

  /** From a comma list; an empty list allows nothing. */
  public static ContextOrigins parse(String commaList) {
    return of(Arrays.asList(commaList == null ? new String[0] : commaList.split(",")));
  }

  public boolean isEmpty() {
    return prefixes.isEmpty();
  }

  /** Whether {@code source} lies under one of the prefixes once both are normalised. */
  public boolean allows(String source) {
    Optional<String> normalised = ContextSources.canonical(source);
    if (normalised.isEmpty()) {
      return false;
    }
    String candidate = normalised.get();
    for (String prefix : prefixes) {
      if (ContextSources.under(candidate, prefix)) {
        return true;
      }
    }
    return false;
  }
}

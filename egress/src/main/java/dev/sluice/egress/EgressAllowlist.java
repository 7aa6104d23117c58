package dev.sluice.egress;

import dev.sluice.config.ConfigException;
import dev.sluice.config.Env;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The hosts provider calls may go to. {@value #VARIABLE} lists them, comma-separated: exact host
 * names ({@code api.openai.com}), IP literals ({@code 10.0.0.7}, {@code [::1]}), or {@code
 * *.suffix} for any host below a domain ({@code *.openai.azure.com} matches {@code
 * myres.openai.azure.com}, not {@code openai.azure.com}). Matching ignores case and a trailing dot.
 * Entries are hosts only: no scheme, port or path, since a provider's port comes from its own base
 * URL, which is configuration too.
 *
 * <p>Unset, the list is exactly the hosts of the configured providers' base URLs. A provider whose
 * base URL falls outside the list stops start-up, and every attempt checks its URI again before
 * sending, so no code path can reach another host.
 */
public final class EgressAllowlist {
  public static final String VARIABLE = "EGRESS_ALLOWED_HOSTS";

  // Host names and IPv4 literals, or a bracketed IPv6 literal as URI.getHost() returns it.
  private static final Pattern HOST =
      Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*");
  private static final Pattern IPV6 = Pattern.compile("\\[[0-9a-f:.]+\\]");

  private final Set<String> exact;
  private final List<String> suffixes;

  private EgressAllowlist(Set<String> exact, List<String> suffixes) {
    this.exact = Set.copyOf(exact);
    this.suffixes = List.copyOf(suffixes);
  }

  /**
   * The allowlist {@value #VARIABLE} gives, or the configured providers' hosts when it is unset.
   *
   * @throws ConfigException when an entry is malformed or a configured base URL is not allowed
   */
  public static EgressAllowlist from(Env env, List<URI> configuredBaseUrls) {
    EgressAllowlist allowlist;
    if (env.get(VARIABLE).isPresent()) {
      allowlist = parse(env.get(VARIABLE).get());
    } else {
      List<String> hosts = new ArrayList<>();
      for (URI url : configuredBaseUrls) {
        if (url.getHost() != null) {
          hosts.add(url.getHost());
        }
      }
      allowlist = of(hosts);
    }
    for (URI url : configuredBaseUrls) {
      allowlist.requireAllowed(url, "a configured provider's base URL");
    }
    return allowlist;
  }

  /** Exactly these hosts (entries as {@value #VARIABLE} takes them). */
  public static EgressAllowlist of(Collection<String> entries) {
    Set<String> exact = new LinkedHashSet<>();
    List<String> suffixes = new ArrayList<>();
    for (String raw : entries) {
      String entry = normalise(raw);
      if (entry.startsWith("*.") && HOST.matcher(entry.substring(2)).matches()) {
        suffixes.add(entry.substring(1)); // keeps the dot: ".openai.azure.com"
      } else if (HOST.matcher(entry).matches() || IPV6.matcher(entry).matches()) {
        exact.add(entry);
      } else {
        // Entries are configuration, not secrets: naming the bad one helps the operator.
        throw new ConfigException(
            VARIABLE + " entries are host names or *.domain, without scheme, port or path: " + raw);
      }
    }
    return new EgressAllowlist(exact, suffixes);
  }

  static EgressAllowlist parse(String value) {
    List<String> entries = new ArrayList<>();
    for (String part : value.split(",")) {
      if (!part.isBlank()) {
        entries.add(part.trim());
      }
    }
    if (entries.isEmpty()) {
      throw new ConfigException(VARIABLE + " lists no host");
    }
    return of(entries);
  }

  /** Whether a request to {@code uri} may leave the gateway. */
  public boolean allows(URI uri) {
    return uri != null && uri.getHost() != null && allowsHost(uri.getHost());
  }

  /** Whether {@code host} may be called. */
  public boolean allowsHost(String host) {
    String normalised = normalise(host);
    if (exact.contains(normalised)) {
      return true;
    }
    for (String suffix : suffixes) {
      if (normalised.endsWith(suffix) && normalised.length() > suffix.length()) {
        return true;
      }
    }
    return false;
  }

  /**
   * Refuses a base URL outside the list at start-up.
   *
   * @param what what the URL is, for the message, such as {@code "ANTHROPIC_BASE_URL"}
   * @throws ConfigException naming {@value #VARIABLE} and the host
   */
  public void requireAllowed(URI baseUrl, String what) {
    Objects.requireNonNull(baseUrl, "baseUrl");
    if (!allows(baseUrl)) {
      throw new ConfigException(
          VARIABLE + " does not allow host " + baseUrl.getHost() + " (from " + what + ")");
    }
  }

  private static String normalise(String host) {
    String lower = host.trim().toLowerCase(Locale.ROOT);
    return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
  }

  @Override
  public String toString() {
    List<String> all = new ArrayList<>(exact);
    suffixes.forEach(suffix -> all.add("*" + suffix));
    return "EgressAllowlist" + all;
  }
}

package dev.sluice.policy;

import dev.sluice.config.ConfigException;
import dev.sluice.config.Env;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Open Policy Agent, when the gateway asks it ({@code OPA_URL}): the pipeline before every provider
 * call, the ingress for its readiness. Without a URL the policy mode is {@link PolicyMode#LOCAL}.
 *
 * @param url OPA's base URL ({@code OPA_URL}), or empty for local mode
 * @param timeout how long one whole decision may take, from connecting to the last byte of OPA's
 *     answer, before the request fails closed ({@code OPA_TIMEOUT_MS})
 */
public record OpaSettings(Optional<URI> url, Duration timeout) {
  public static final long DEFAULT_TIMEOUT_MS = 200;

  public OpaSettings {
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(timeout, "timeout");
    url.ifPresent(OpaSettings::requireHttpUrl);
    if (timeout.toMillis() < 1) {
      throw new ConfigException("OPA_TIMEOUT_MS must be >= 1");
    }
  }

  public static OpaSettings from(Env env) {
    return new OpaSettings(
        env.get("OPA_URL").map(OpaSettings::parseUrl),
        Duration.ofMillis(env.getLong("OPA_TIMEOUT_MS", DEFAULT_TIMEOUT_MS)));
  }

  public PolicyMode mode() {
    return url.isPresent() ? PolicyMode.OPA : PolicyMode.LOCAL;
  }

  private static URI parseUrl(String value) {
    try {
      return new URI(value);
    } catch (URISyntaxException e) {
      throw new ConfigException("OPA_URL must be an http or https URL");
    }
  }

  private static void requireHttpUrl(URI url) {
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    if (!(scheme.equals("http") || scheme.equals("https")) || url.getHost() == null) {
      throw new ConfigException("OPA_URL must be an http or https URL");
    }
  }
}

package dev.sluice.pipeline.policy;

import dev.sluice.config.ConfigException;
import dev.sluice.config.Env;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * OPA mode: where Open Policy Agent answers ({@code OPA_URL}) and how long the pipeline waits for
 * it ({@code OPA_TIMEOUT_MS}, default 200) before failing closed.
 */
public record OpaSettings(URI url, Duration timeout) {
  public static final String MODE = "OPA";
  public static final long DEFAULT_TIMEOUT_MS = 200;

  public OpaSettings {
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(timeout, "timeout");
    if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme())
        || url.getHost() == null) {
      throw new ConfigException("OPA_URL must be an http or https URL");
    }
    if (timeout.toMillis() < 1) {
      throw new ConfigException("OPA_TIMEOUT_MS must be >= 1");
    }
  }

  /** Empty (LOCAL mode) when {@code OPA_URL} is not set. */
  public static Optional<OpaSettings> from(Env env) {
    Optional<String> url = env.get("OPA_URL");
    if (url.isEmpty()) {
      return Optional.empty();
    }
    URI uri;
    try {
      uri = new URI(url.get());
    } catch (URISyntaxException e) {
      throw new ConfigException("OPA_URL must be an http or https URL");
    }
    return Optional.of(
        new OpaSettings(uri, Duration.ofMillis(env.getLong("OPA_TIMEOUT_MS", DEFAULT_TIMEOUT_MS))));
  }
}

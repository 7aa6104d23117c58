package dev.sluice.egress.openai;

import dev.sluice.config.ConfigException;
import dev.sluice.config.Env;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How to reach an OpenAI-compatible server.
 *
 * @param name the provider name used in {@code provider:model}
 * @param baseUrl such as {@code https://api.openai.com/v1}; {@code /chat/completions} is appended
 * @param apiKey the bearer key; never printed
 * @param timeout connect timeout and the longest one attempt may take
 * @param maxRetries retries after the first attempt on 429, 5xx and connection errors
 */
public record OpenAiSettings(
    String name, URI baseUrl, String apiKey, Duration timeout, int maxRetries) {
  public static final String DEFAULT_NAME = "openai";
  public static final String DEFAULT_BASE_URL = "https://api.openai.com/v1";

  public OpenAiSettings {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(baseUrl, "baseUrl");
    Objects.requireNonNull(apiKey, "apiKey");
    Objects.requireNonNull(timeout, "timeout");
    if (!"https".equals(baseUrl.getScheme()) && !"http".equals(baseUrl.getScheme())) {
      throw new ConfigException("OPENAI_BASE_URL must be an http(s) URL");
    }
    if (timeout.isNegative() || timeout.isZero()) {
      throw new ConfigException("PROVIDER_TIMEOUT_MS must be > 0");
    }
    if (maxRetries < 0) {
      throw new ConfigException("PROVIDER_MAX_RETRIES must be >= 0");
    }
  }

  /** The settings, or empty when no key is configured (the provider is then not offered). */
  public static Optional<OpenAiSettings> from(Env env) {
    Optional<String> key = key(env);
    if (key.isEmpty()) {
      return Optional.empty();
    }
    URI baseUrl;
    try {
      baseUrl = URI.create(env.get("OPENAI_BASE_URL", DEFAULT_BASE_URL).trim());
    } catch (IllegalArgumentException e) {
      throw new ConfigException("OPENAI_BASE_URL is not a valid URL");
    }
    return Optional.of(
        new OpenAiSettings(
            DEFAULT_NAME,
            baseUrl,
            key.get(),
            Duration.ofMillis(env.getLong("PROVIDER_TIMEOUT_MS", 30_000)),
            env.getInt("PROVIDER_MAX_RETRIES", 2)));
  }

  private static Optional<String> key(Env env) {
    Optional<String> direct = env.get("OPENAI_API_KEY").map(String::trim).filter(k -> !k.isEmpty());
    if (direct.isPresent()) {
      return direct;
    }
    Optional<String> file = env.get("OPENAI_API_KEY_FILE").filter(f -> !f.isBlank());
    if (file.isEmpty()) {
      return Optional.empty();
    }
    try {
      String content = Files.readString(Path.of(file.get().trim()), StandardCharsets.UTF_8).trim();
      if (content.isEmpty()) {
        throw new ConfigException("OPENAI_API_KEY_FILE is empty");
      }
      return Optional.of(content);
    } catch (IOException e) {
      // The path is configuration, not a secret; the content never appears.
      throw new ConfigException("OPENAI_API_KEY_FILE cannot be read: " + file.get());
    }
  }

  /** The same settings under another provider name (a second compatible server). */
  public OpenAiSettings withName(String newName) {
    return new OpenAiSettings(newName, baseUrl, apiKey, timeout, maxRetries);
  }

  @Override
  public String toString() {
    return "OpenAiSettings[name="
        + name
        + ", baseUrl="
        + baseUrl
        + ", apiKey=***, timeout="
        + timeout
        + ", maxRetries="
        + maxRetries
        + "]";
  }
}

package dev.sluice.egress.openai;

import dev.sluice.config.Env;
import dev.sluice.egress.ApiKeys;
import dev.sluice.egress.http.BaseUrl;
import dev.sluice.egress.http.RetryPolicy;
import java.net.URI;
import java.util.Objects;
import java.util.Optional;

/**
 * How to reach an OpenAI-compatible server.
 *
 * @param name the provider name used in {@code provider:model}
 * @param baseUrl such as {@code https://api.openai.com/v1}; {@code /chat/completions} is appended
 * @param apiKey the bearer key; never printed
 * @param retries attempt timeout and retries
 */
public record OpenAiSettings(String name, URI baseUrl, String apiKey, RetryPolicy retries) {
  public static final String DEFAULT_NAME = "openai";
  public static final String DEFAULT_BASE_URL = "https://api.openai.com/v1";

  public OpenAiSettings {
    Objects.requireNonNull(name, "name");
    baseUrl =
        BaseUrl.parse("OPENAI_BASE_URL", Objects.requireNonNull(baseUrl, "baseUrl").toString());
    Objects.requireNonNull(apiKey, "apiKey");
    Objects.requireNonNull(retries, "retries");
  }

  /**
   * {@code OPENAI_API_KEY} or {@code OPENAI_API_KEY_FILE}, {@code OPENAI_BASE_URL}; empty when no
   * key is configured (the provider is then not offered).
   */
  public static Optional<OpenAiSettings> from(Env env) {
    Optional<String> key = ApiKeys.read(env, "OPENAI");
    if (key.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        new OpenAiSettings(
            DEFAULT_NAME,
            BaseUrl.parse("OPENAI_BASE_URL", env.get("OPENAI_BASE_URL", DEFAULT_BASE_URL)),
            key.get(),
            RetryPolicy.from(env)));
  }

  /** The same settings under another provider name (a second compatible server). */
  public OpenAiSettings withName(String newName) {
    return new OpenAiSettings(newName, baseUrl, apiKey, retries);
  }

  @Override
  public String toString() {
    return "OpenAiSettings[name="
        + name
        + ", baseUrl="
        + baseUrl
        + ", apiKey=***, "
        + retries
        + "]";
  }
}

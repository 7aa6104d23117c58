package dev.sluice.egress.anthropic;

import dev.sluice.config.ConfigException;
import dev.sluice.config.Env;
import dev.sluice.egress.ApiKeys;
import dev.sluice.egress.http.BaseUrl;
import dev.sluice.egress.http.RetryPolicy;
import java.net.URI;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * How to reach Anthropic's Messages API.
 *
 * @param baseUrl such as {@code https://api.anthropic.com}; {@code /v1/messages} is appended
 * @param apiKey sent as {@code x-api-key}; never printed
 * @param version the {@code anthropic-version} header
 * @param defaultMaxTokens {@code max_tokens} for requests that set none (Anthropic requires one)
 * @param retries attempt timeout and retries
 */
public record AnthropicSettings(
    URI baseUrl, String apiKey, String version, int defaultMaxTokens, RetryPolicy retries) {
  public static final String NAME = "anthropic";
  public static final String DEFAULT_BASE_URL = "https://api.anthropic.com";
  public static final String DEFAULT_VERSION = "2023-06-01";
  public static final int DEFAULT_MAX_TOKENS = 4096;

  private static final Pattern VERSION = Pattern.compile("[0-9]{4}-[0-9]{2}-[0-9]{2}");

  public AnthropicSettings {
    baseUrl =
        BaseUrl.parse("ANTHROPIC_BASE_URL", Objects.requireNonNull(baseUrl, "baseUrl").toString());
    Objects.requireNonNull(apiKey, "apiKey");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(retries, "retries");
    if (!VERSION.matcher(version).matches()) {
      throw new ConfigException("ANTHROPIC_VERSION must look like 2023-06-01");
    }
    if (defaultMaxTokens < 1) {
      throw new ConfigException("ANTHROPIC_MAX_TOKENS must be >= 1");
    }
  }

  /**
   * {@code ANTHROPIC_API_KEY} or {@code _FILE}, {@code ANTHROPIC_BASE_URL}, {@code
   * ANTHROPIC_VERSION}, {@code ANTHROPIC_MAX_TOKENS}; empty when no key is configured.
   */
  public static Optional<AnthropicSettings> from(Env env) {
    Optional<String> key = ApiKeys.read(env, "ANTHROPIC");
    if (key.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        new AnthropicSettings(
            BaseUrl.parse("ANTHROPIC_BASE_URL", env.get("ANTHROPIC_BASE_URL", DEFAULT_BASE_URL)),
            key.get(),
            env.get("ANTHROPIC_VERSION", DEFAULT_VERSION),
            env.getInt("ANTHROPIC_MAX_TOKENS", DEFAULT_MAX_TOKENS),
            RetryPolicy.from(env)));
  }

  @Override
  public String toString() {
    return "AnthropicSettings[baseUrl="
        + baseUrl
        + ", apiKey=***, version="
        + version
        + ", defaultMaxTokens="
        + defaultMaxTokens
        + ", "
        + retries
        + "]";
  }
}

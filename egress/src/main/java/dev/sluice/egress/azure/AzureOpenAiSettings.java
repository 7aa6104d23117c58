package dev.sluice.egress.azure;

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
 * How to reach an Azure OpenAI resource.
 *
 * @param endpoint the resource, such as {@code https://myres.openai.azure.com}
 * @param apiKey sent as {@code api-key}; never printed
 * @param apiVersion the {@code api-version} query parameter
 * @param retries attempt timeout and retries
 */
public record AzureOpenAiSettings(
    URI endpoint, String apiKey, String apiVersion, RetryPolicy retries) {
  public static final String NAME = "azure";

  /** The latest generally available data-plane inference version (tools, parallel tool calls). */
  public static final String DEFAULT_API_VERSION = "2024-10-21";

  private static final Pattern API_VERSION =
      Pattern.compile("[0-9]{4}-[0-9]{2}-[0-9]{2}(-preview)?");

  public AzureOpenAiSettings {
    endpoint =
        BaseUrl.parse(
            "AZURE_OPENAI_ENDPOINT", Objects.requireNonNull(endpoint, "endpoint").toString());
    Objects.requireNonNull(apiKey, "apiKey");
    Objects.requireNonNull(apiVersion, "apiVersion");
    Objects.requireNonNull(retries, "retries");
    if (!API_VERSION.matcher(apiVersion).matches()) {
      // It goes into the query string: only the documented date form is let through.
      throw new ConfigException("AZURE_OPENAI_API_VERSION must look like 2024-10-21");
    }
  }

  /**
   * {@code AZURE_OPENAI_ENDPOINT}, {@code AZURE_OPENAI_API_KEY} or {@code _FILE}, {@code
   * AZURE_OPENAI_API_VERSION}; empty when neither endpoint nor key is set.
   *
   * @throws ConfigException when only one of endpoint and key is set
   */
  public static Optional<AzureOpenAiSettings> from(Env env) {
    Optional<String> key = ApiKeys.read(env, "AZURE_OPENAI");
    Optional<String> endpoint = env.get("AZURE_OPENAI_ENDPOINT");
    if (key.isEmpty() && endpoint.isEmpty()) {
      return Optional.empty();
    }
    if (endpoint.isEmpty()) {
      throw new ConfigException("AZURE_OPENAI_ENDPOINT is required with AZURE_OPENAI_API_KEY");
    }
    if (key.isEmpty()) {
      throw new ConfigException(
          "AZURE_OPENAI_API_KEY or AZURE_OPENAI_API_KEY_FILE is required with"
              + " AZURE_OPENAI_ENDPOINT");
    }
    return Optional.of(
        new AzureOpenAiSettings(
            BaseUrl.parse("AZURE_OPENAI_ENDPOINT", endpoint.get()),
            key.get(),
            env.get("AZURE_OPENAI_API_VERSION", DEFAULT_API_VERSION),
            RetryPolicy.from(env)));
  }

  @Override
  public String toString() {
    return "AzureOpenAiSettings[endpoint="
        + endpoint
        + ", apiKey=***, apiVersion="
        + apiVersion
        + ", "
        + retries
        + "]";
  }
}

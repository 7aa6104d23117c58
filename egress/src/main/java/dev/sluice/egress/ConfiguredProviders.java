package dev.sluice.egress;

import dev.sluice.config.Env;
import dev.sluice.egress.anthropic.AnthropicProvider;
import dev.sluice.egress.anthropic.AnthropicSettings;
import dev.sluice.egress.azure.AzureOpenAiProvider;
import dev.sluice.egress.azure.AzureOpenAiSettings;
import dev.sluice.egress.openai.OpenAiCompatibleProvider;
import dev.sluice.egress.openai.OpenAiSettings;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The HTTP providers the environment configures: OpenAI (or a compatible server), Azure OpenAI and
 * Anthropic, each offered when its key is set, all behind one {@link EgressAllowlist} built from
 * their base URLs and {@value EgressAllowlist#VARIABLE}. The settings are read once ({@link
 * #from(Env)}); the providers are built from them when the pipeline starts ({@link #build}).
 *
 * @param openAi empty when no key is configured
 * @param azure empty when no key is configured
 * @param anthropic empty when no key is configured
 */
public record ConfiguredProviders(
    Optional<OpenAiSettings> openAi,
    Optional<AzureOpenAiSettings> azure,
    Optional<AnthropicSettings> anthropic,
    EgressAllowlist allowlist) {

  public ConfiguredProviders {
    Objects.requireNonNull(openAi, "openAi");
    Objects.requireNonNull(azure, "azure");
    Objects.requireNonNull(anthropic, "anthropic");
    Objects.requireNonNull(allowlist, "allowlist");
  }

  /**
   * @throws dev.sluice.config.ConfigException on a bad value
   */
  public static ConfiguredProviders from(Env env) {
    Optional<OpenAiSettings> openAi = OpenAiSettings.from(env);
    Optional<AzureOpenAiSettings> azure = AzureOpenAiSettings.from(env);
    Optional<AnthropicSettings> anthropic = AnthropicSettings.from(env);
    List<URI> baseUrls = new ArrayList<>();
    openAi.ifPresent(settings -> baseUrls.add(settings.baseUrl()));
    azure.ifPresent(settings -> baseUrls.add(settings.endpoint()));
    anthropic.ifPresent(settings -> baseUrls.add(settings.baseUrl()));
    return new ConfiguredProviders(openAi, azure, anthropic, EgressAllowlist.from(env, baseUrls));
  }

  /**
   * @param executor runs the providers' HTTP clients; calls never block it
   * @param scheduler runs backoffs and attempt timeouts
   * @throws dev.sluice.config.ConfigException on a base URL outside the allowlist
   */
  public List<Provider> build(Executor executor, ScheduledExecutorService scheduler) {
    List<Provider> providers = new ArrayList<>();
    openAi.ifPresent(
        settings ->
            providers.add(new OpenAiCompatibleProvider(settings, allowlist, executor, scheduler)));
    azure.ifPresent(
        settings ->
            providers.add(new AzureOpenAiProvider(settings, allowlist, executor, scheduler)));
    anthropic.ifPresent(
        settings -> providers.add(new AnthropicProvider(settings, allowlist, executor, scheduler)));
    return List.copyOf(providers);
  }
}

package dev.sluice.egress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.config.ConfigException;
import dev.sluice.config.Env;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ConfiguredProvidersTest {
  private final ExecutorService executor = Executors.newSingleThreadExecutor();
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

  @AfterEach
  void stop() {
    executor.shutdownNow();
    scheduler.shutdownNow();
  }

  @Test
  void offersEachProviderWhoseKeyIsSet() {
    Env env =
        Env.of(
            Map.of(
                "OPENAI_API_KEY", "sk-openai-secret",
                "AZURE_OPENAI_ENDPOINT", "https://myres.openai.azure.com",
                "AZURE_OPENAI_API_KEY", "azure-secret",
                "ANTHROPIC_API_KEY", "sk-ant-secret"));
    assertThat(ConfiguredProviders.from(env).build(executor, scheduler))
        .extracting(Provider::name)
        .containsExactly("openai", "azure", "anthropic");
    assertThat(ConfiguredProviders.from(Env.of(Map.of())).build(executor, scheduler)).isEmpty();
  }

  @Test
  void aBaseUrlOutsideTheAllowlistStopsStartUp() {
    Env env =
        Env.of(
            Map.of(
                "ANTHROPIC_API_KEY", "sk-ant-secret",
                "ANTHROPIC_BASE_URL", "https://anthropic.proxy.internal",
                "EGRESS_ALLOWED_HOSTS", "api.anthropic.com"));
    assertThatThrownBy(() -> ConfiguredProviders.from(env).build(executor, scheduler))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("EGRESS_ALLOWED_HOSTS")
        .hasMessageContaining("anthropic.proxy.internal")
        .hasMessageNotContaining("sk-ant-secret");
  }
}

package dev.sluice.egress.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.config.ConfigException;
import dev.sluice.config.Env;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AzureOpenAiSettingsTest {

  @Test
  void nothingSetMeansNoProvider() {
    assertThat(AzureOpenAiSettings.from(Env.of(Map.of()))).isEmpty();
  }

  @Test
  void defaultsApply() {
    AzureOpenAiSettings settings =
        AzureOpenAiSettings.from(
                Env.of(
                    Map.of(
                        "AZURE_OPENAI_ENDPOINT", "https://myres.openai.azure.com/",
                        "AZURE_OPENAI_API_KEY", "azure-secret")))
            .get();
    assertThat(settings.endpoint().toString()).isEqualTo("https://myres.openai.azure.com");
    assertThat(settings.apiVersion()).isEqualTo("2024-10-21");
    assertThat(settings.apiKey()).isEqualTo("azure-secret");
    assertThat(settings.toString()).doesNotContain("azure-secret");
  }

  @Test
  void readsTheKeyFileAndVersion(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("key");
    Files.writeString(file, "azure-from-file\n");
    AzureOpenAiSettings settings =
        AzureOpenAiSettings.from(
                Env.of(
                    Map.of(
                        "AZURE_OPENAI_ENDPOINT", "https://myres.openai.azure.com",
                        "AZURE_OPENAI_API_KEY_FILE", file.toString(),
                        "AZURE_OPENAI_API_VERSION", "2025-04-01-preview")))
            .get();
    assertThat(settings.apiKey()).isEqualTo("azure-from-file");
    assertThat(settings.apiVersion()).isEqualTo("2025-04-01-preview");
  }

  @Test
  void refusesHalfAConfigurationAndBadValues() {
    assertThatThrownBy(
            () -> AzureOpenAiSettings.from(Env.of(Map.of("AZURE_OPENAI_API_KEY", "azure-secret"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("AZURE_OPENAI_ENDPOINT")
        .hasMessageNotContaining("azure-secret");
    assertThatThrownBy(
            () ->
                AzureOpenAiSettings.from(
                    Env.of(Map.of("AZURE_OPENAI_ENDPOINT", "https://myres.openai.azure.com"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("AZURE_OPENAI_API_KEY");
    assertThatThrownBy(
            () ->
                AzureOpenAiSettings.from(
                    Env.of(
                        Map.of(
                            "AZURE_OPENAI_ENDPOINT", "https://myres.openai.azure.com",
                            "AZURE_OPENAI_API_KEY", "k",
                            "AZURE_OPENAI_API_VERSION", "2024-10-21&x=y"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("AZURE_OPENAI_API_VERSION");
    assertThatThrownBy(
            () ->
                AzureOpenAiSettings.from(
                    Env.of(
                        Map.of(
                            "AZURE_OPENAI_ENDPOINT", "https://myres.openai.azure.com?x=1",
                            "AZURE_OPENAI_API_KEY", "k"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("AZURE_OPENAI_ENDPOINT");
  }
}

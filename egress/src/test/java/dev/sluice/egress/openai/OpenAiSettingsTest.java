package dev.sluice.egress.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.config.ConfigException;
import dev.sluice.config.Env;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OpenAiSettingsTest {

  @Test
  void noKeyMeansNoProvider() {
    assertThat(OpenAiSettings.from(Env.of(Map.of("OPENAI_BASE_URL", "http://localhost:8000/v1"))))
        .isEmpty();
  }

  @Test
  void defaultsApplyWhenAKeyIsSet() {
    OpenAiSettings settings = OpenAiSettings.from(Env.of(Map.of("OPENAI_API_KEY", "sk-abc"))).get();
    assertThat(settings.name()).isEqualTo("openai");
    assertThat(settings.baseUrl().toString()).isEqualTo("https://api.openai.com/v1");
    assertThat(settings.apiKey()).isEqualTo("sk-abc");
    assertThat(settings.retries().attemptTimeout()).isEqualTo(Duration.ofMillis(30_000));
    assertThat(settings.retries().maxRetries()).isEqualTo(2);
    assertThat(settings.toString()).doesNotContain("sk-abc");
  }

  @Test
  void readsTheKeyFromAFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("key");
    Files.writeString(file, "  sk-from-file\n");
    OpenAiSettings settings =
        OpenAiSettings.from(
                Env.of(
                    Map.of(
                        "OPENAI_API_KEY_FILE", file.toString(),
                        "OPENAI_BASE_URL", "http://127.0.0.1:8000/v1/",
                        "PROVIDER_TIMEOUT_MS", "1500",
                        "PROVIDER_MAX_RETRIES", "0")))
            .get();
    assertThat(settings.apiKey()).isEqualTo("sk-from-file");
    assertThat(settings.baseUrl().toString()).isEqualTo("http://127.0.0.1:8000/v1");
    assertThat(settings.retries().attemptTimeout()).isEqualTo(Duration.ofMillis(1500));
    assertThat(settings.retries().maxRetries()).isZero();
  }

  @Test
  void refusesBadValues() {
    assertThatThrownBy(
            () ->
                OpenAiSettings.from(
                    Env.of(Map.of("OPENAI_API_KEY", "k", "OPENAI_BASE_URL", "ftp://x/v1"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("OPENAI_BASE_URL");
    assertThatThrownBy(
            () ->
                OpenAiSettings.from(
                    Env.of(
                        Map.of(
                            "OPENAI_API_KEY", "k", "OPENAI_BASE_URL", "https://u:p@x.example/v1"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageNotContaining("u:p");
    assertThatThrownBy(
            () ->
                OpenAiSettings.from(
                    Env.of(Map.of("OPENAI_API_KEY", "k", "PROVIDER_MAX_RETRIES", "-1"))))
        .isInstanceOf(ConfigException.class);
    assertThatThrownBy(
            () -> OpenAiSettings.from(Env.of(Map.of("OPENAI_API_KEY_FILE", "/nonexistent/key"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("OPENAI_API_KEY_FILE")
        .hasMessageContaining("/nonexistent/key");
  }
}

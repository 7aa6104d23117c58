package dev.sluice.egress.anthropic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.config.ConfigException;
import dev.sluice.config.Env;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AnthropicSettingsTest {

  @Test
  void noKeyMeansNoProvider() {
    assertThat(AnthropicSettings.from(Env.of(Map.of("ANTHROPIC_VERSION", "2023-06-01")))).isEmpty();
  }

  @Test
  void defaultsApply() {
    AnthropicSettings settings =
        AnthropicSettings.from(Env.of(Map.of("ANTHROPIC_API_KEY", "sk-ant-secret"))).get();
    assertThat(settings.baseUrl().toString()).isEqualTo("https://api.anthropic.com");
    assertThat(settings.version()).isEqualTo("2023-06-01");
    assertThat(settings.defaultMaxTokens()).isEqualTo(4096);
    assertThat(settings.retries().maxRetries()).isEqualTo(2);
    assertThat(settings.toString()).doesNotContain("sk-ant-secret");
  }

  @Test
  void readsTheKeyFileAndOverrides(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("key");
    Files.writeString(file, "sk-ant-from-file\n");
    AnthropicSettings settings =
        AnthropicSettings.from(
                Env.of(
                    Map.of(
                        "ANTHROPIC_API_KEY_FILE", file.toString(),
                        "ANTHROPIC_BASE_URL", "https://anthropic.proxy.internal/",
                        "ANTHROPIC_MAX_TOKENS", "1024")))
            .get();
    assertThat(settings.apiKey()).isEqualTo("sk-ant-from-file");
    assertThat(settings.baseUrl().toString()).isEqualTo("https://anthropic.proxy.internal");
    assertThat(settings.defaultMaxTokens()).isEqualTo(1024);
  }

  @Test
  void refusesBadValues() {
    assertThatThrownBy(
            () ->
                AnthropicSettings.from(
                    Env.of(
                        Map.of("ANTHROPIC_API_KEY", "k", "ANTHROPIC_VERSION", "latest\r\nX: y"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("ANTHROPIC_VERSION");
    assertThatThrownBy(
            () ->
                AnthropicSettings.from(
                    Env.of(Map.of("ANTHROPIC_API_KEY", "k", "ANTHROPIC_MAX_TOKENS", "0"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("ANTHROPIC_MAX_TOKENS");
    assertThatThrownBy(
            () -> AnthropicSettings.from(Env.of(Map.of("ANTHROPIC_API_KEY_FILE", "/nonexistent"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("ANTHROPIC_API_KEY_FILE");
  }
}

package dev.sluice.egress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.config.ConfigException;
import dev.sluice.config.Env;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiKeysTest {

  @Test
  void readsTheVariable() {
    assertThat(ApiKeys.read(Env.of(Map.of("ACME_API_KEY", " k-1 ")), "ACME")).contains("k-1");
  }

  @Test
  void noVariableMeansNoKey() {
    assertThat(ApiKeys.read(Env.of(Map.of("OTHER_API_KEY", "k")), "ACME")).isEmpty();
  }

  @Test
  void readsAndTrimsTheFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("key");
    Files.writeString(file, "\n  k-from-file \n");
    assertThat(ApiKeys.read(Env.of(Map.of("ACME_API_KEY_FILE", file.toString())), "ACME"))
        .contains("k-from-file");
  }

  @Test
  void anEmptyFileNamesTheVariableAndPathButNoContent(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("empty");
    Files.writeString(file, " \n");
    assertThatThrownBy(
            () -> ApiKeys.read(Env.of(Map.of("ACME_API_KEY_FILE", file.toString())), "ACME"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("ACME_API_KEY_FILE")
        .hasMessageContaining(file.toString());
  }

  @Test
  void anUnreadableFileNamesTheVariableAndPath(@TempDir Path dir) {
    Path missing = dir.resolve("missing");
    assertThatThrownBy(
            () -> ApiKeys.read(Env.of(Map.of("ACME_API_KEY_FILE", missing.toString())), "ACME"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("ACME_API_KEY_FILE cannot be read: " + missing);
    assertThatThrownBy(
            () -> ApiKeys.read(Env.of(Map.of("ACME_API_KEY_FILE", dir.toString())), "ACME"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("ACME_API_KEY_FILE");
  }

  @Test
  void aKeyWithInnerWhitespaceIsRefusedWithoutShowingIt(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("two-lines");
    Files.writeString(file, "k-line-one\nk-line-two\n");
    assertThatThrownBy(
            () -> ApiKeys.read(Env.of(Map.of("ACME_API_KEY_FILE", file.toString())), "ACME"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("ACME_API_KEY_FILE")
        .hasMessageNotContaining("k-line");
    assertThatThrownBy(() -> ApiKeys.read(Env.of(Map.of("ACME_API_KEY", "k one")), "ACME"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("ACME_API_KEY")
        .hasMessageNotContaining("k one");
  }

  @Test
  void bothSourcesAreRefusedWithoutShowingTheKey(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("key");
    Files.writeString(file, "k-from-file");
    assertThatThrownBy(
            () ->
                ApiKeys.read(
                    Env.of(
                        Map.of("ACME_API_KEY", "k-direct", "ACME_API_KEY_FILE", file.toString())),
                    "ACME"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("set only one of ACME_API_KEY and ACME_API_KEY_FILE");
  }
}

package dev.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnvTest {

  @Test
  void environmentWinsOverDotEnv(@TempDir Path dir) throws Exception {
    Path file = dir.resolve(".env");
    Files.writeString(file, "PORT=9000\nDATA_DIR=/tmp/x\n");
    Env env = Env.load(Map.of("PORT", "8100"), file);
    assertThat(env.getInt("PORT", 8000)).isEqualTo(8100);
    assertThat(env.get("DATA_DIR", "")).isEqualTo("/tmp/x");
  }

  @Test
  void missingDotEnvIsFine(@TempDir Path dir) {
    Env env = Env.load(Map.of(), dir.resolve(".env"));
    assertThat(env.getInt("PORT", 8000)).isEqualTo(8000);
  }

  @Test
  void parsesQuotesCommentsAndExport() {
    Map<String, String> parsed =
        Env.parseDotEnv(
            List.of(
                "# comment",
                "export A=1",
                "B=\"two words\"",
                "C='x # y'",
                "D=plain # trailing",
                "not a pair",
                ""));
    assertThat(parsed).containsEntry("A", "1").containsEntry("B", "two words");
    assertThat(parsed).containsEntry("C", "x # y").containsEntry("D", "plain").hasSize(4);
  }

  @Test
  void badNumbersNameTheVariableNotTheValue() {
    Env env = Env.of(Map.of("PORT", "s3cret"));
    assertThatThrownBy(() -> env.getInt("PORT", 1))
        .isInstanceOf(ConfigException.class)
        .hasMessage("PORT must be an integer");
  }

  @Test
  void booleansAcceptCommonSpellings() {
    Env env = Env.of(Map.of("A", "TRUE", "B", "0", "C", "maybe"));
    assertThat(env.getBoolean("A", false)).isTrue();
    assertThat(env.getBoolean("B", true)).isFalse();
    assertThatThrownBy(() -> env.getBoolean("C", true)).hasMessage("C must be true or false");
  }

  @Test
  void defaultsFillOnlyWhatIsUnsetOrBlank() {
    Env env = Env.of(Map.of("DEV_MODE", "false", "DATA_DIR", " "));
    Env filled = env.withDefaults(Map.of("DEV_MODE", "true", "DATA_DIR", "/d", "PORT", "9"));
    assertThat(filled.get("DEV_MODE")).contains("false");
    assertThat(filled.get("DATA_DIR")).contains("/d");
    assertThat(filled.get("PORT")).contains("9");
    assertThat(env.get("PORT")).isEmpty();
  }

  @Test
  void toStringShowsNamesOnly() {
    assertThat(Env.of(Map.of("JWT_SECRET", "hunter2hunter2")).toString())
        .doesNotContain("hunter2")
        .contains("JWT_SECRET");
  }
}

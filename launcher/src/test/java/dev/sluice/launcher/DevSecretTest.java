package dev.sluice.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.config.ConfigException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DevSecretTest {

  @Test
  void generatesAnOwnerOnlySecretOnceAndReusesIt(@TempDir Path dir) throws Exception {
    String secret = DevSecret.loadOrCreate(dir);
    assertThat(secret.getBytes(StandardCharsets.UTF_8).length).isGreaterThanOrEqualTo(32);
    Path file = dir.resolve(DevSecret.FILE);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    assertThat(DevSecret.loadOrCreate(dir)).isEqualTo(secret);
  }

  @Test
  void refusesASecretOthersCanRead(@TempDir Path dir) throws Exception {
    DevSecret.loadOrCreate(dir);
    Files.setPosixFilePermissions(
        dir.resolve(DevSecret.FILE), PosixFilePermissions.fromString("rw-r--r--"));
    assertThatThrownBy(() -> DevSecret.loadOrCreate(dir))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("owner only");
  }
}

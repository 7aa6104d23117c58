package dev.sluice.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sluice.config.BindAddress;
import dev.sluice.config.DataDir;
import dev.sluice.config.Env;
import dev.sluice.config.OwnerOnly;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code scripts/run} does before it starts anything: keep its data directory to its owner,
 * and say in the banner who can reach the gateway.
 */
class RunCommandTest {

  @Test
  void devModeSaysItListensOnLoopbackOnlyAndHowToOpenIt() {
    String line = RunCommand.listening(BindAddress.from(Env.of(Map.of("DEV_MODE", "true"))), true);
    assertThat(line)
        .startsWith("Listening on 127.0.0.1 only")
        .contains("DEV_MODE")
        .contains("BIND_ADDRESS=0.0.0.0");
  }

  @Test
  void openedToTheNetworkInDevModeItWarnsThatTheDevTokenWorksFromThere() {
    String line =
        RunCommand.listening(
            BindAddress.from(Env.of(Map.of("DEV_MODE", "true", "BIND_ADDRESS", "0.0.0.0"))), true);
    assertThat(line).startsWith("Listening on every interface (0.0.0.0)").contains("dev-token");
    assertThat(RunCommand.listening(BindAddress.from(Env.of(Map.of("DEV_MODE", "false"))), false))
        .startsWith("Listening on every interface")
        .doesNotContain("dev-token");
  }

  @Test
  void aDataDirectoryOthersCouldReadIsMadeOwnerOnlyAndANewOneIsCreatedSo(@TempDir Path dir)
      throws Exception {
    assumeTrue(OwnerOnly.posix(dir), "the file system has no POSIX permissions");
    Path fresh = RunCommand.protect(new DataDir(dir.resolve("fresh")));
    assertThat(permissions(fresh)).isEqualTo("rwx------");

    Path old = Files.createDirectory(dir.resolve("old"));
    Files.setPosixFilePermissions(old, PosixFilePermissions.fromString("rwxr-xr-x"));
    assertThat(RunCommand.protect(new DataDir(old))).isEqualTo(old);
    assertThat(permissions(old)).isEqualTo("rwx------");
  }

  private static String permissions(Path path) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
  }
}

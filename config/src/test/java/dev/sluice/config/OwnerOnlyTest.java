package dev.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the gateway creates on disk is its owner's only: 0700 directories, 0600 files. */
class OwnerOnlyTest {
  @TempDir Path dir;

  @BeforeEach
  void posixOnly() {
    assumeTrue(OwnerOnly.posix(dir), "the file system has no POSIX permissions");
  }

  @Test
  void theDataDirectoryAndWhatIsMadeUnderItAreOwnerOnly() throws Exception {
    DataDir data = DataDir.from(Env.of(Map.of("DATA_DIR", dir.resolve("a/data").toString())));
    assertThat(data.create("pipeline-state")).isEqualTo(dir.resolve("a/data/pipeline-state"));
    assertThat(permissions(dir.resolve("a"))).isEqualTo("rwx------");
    assertThat(permissions(dir.resolve("a/data"))).isEqualTo("rwx------");
    assertThat(permissions(dir.resolve("a/data/pipeline-state"))).isEqualTo("rwx------");
    assertThat(data.openToOthers()).isFalse();
  }

  @Test
  void anExistingDirectoryIsLeftAsItIs() throws Exception {
    Path existing = Files.createDirectory(dir.resolve("shared"));
    Files.setPosixFilePermissions(existing, PosixFilePermissions.fromString("rwxr-xr-x"));
    DataDir data = new DataDir(existing);
    data.create();
    assertThat(permissions(existing)).isEqualTo("rwxr-xr-x");
    assertThat(data.openToOthers()).isTrue();
    // Only what is missing below it is created, owner-only.
    assertThat(permissions(data.create("kafka"))).isEqualTo("rwx------");
  }

  @Test
  void restrictTakesGroupAndOthersAwayAndKeepsTheOwners() throws Exception {
    Path open = Files.createDirectory(dir.resolve("open"));
    Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxr-x"));
    assertThat(OwnerOnly.openToOthers(open)).isTrue();
    OwnerOnly.restrict(open);
    assertThat(permissions(open)).isEqualTo("rwx------");
    assertThat(OwnerOnly.openToOthers(open)).isFalse();
  }

  @Test
  void aNewFileIsReadableByItsOwnerOnly() throws Exception {
    Path file = OwnerOnly.writeNewFile(dir.resolve("secret"), "s3cr3t\n");
    assertThat(permissions(file)).isEqualTo("rw-------");
    assertThat(Files.readString(file, StandardCharsets.UTF_8)).isEqualTo("s3cr3t\n");
  }

  @Test
  void aMissingDataDirectoryIsNotOpenToOthers() throws Exception {
    assertThat(new DataDir(dir.resolve("missing")).openToOthers()).isFalse();
  }

  private static String permissions(Path path) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
  }
}

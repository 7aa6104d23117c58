package dev.sluice.launcher;

import dev.sluice.config.ConfigException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;

/**
 * The HS256 secret of a local dev run, generated once and kept in {@code DATA_DIR/dev-jwt-secret}
 * (readable by its owner only) so tokens minted by {@code scripts/make-jwt} keep working across
 * runs.
 */
final class DevSecret {
  static final String FILE = "dev-jwt-secret";
  private static final Set<PosixFilePermission> OWNER_ONLY =
      PosixFilePermissions.fromString("rw-------");

  private DevSecret() {}

  static String loadOrCreate(Path dataDir) throws IOException {
    Path file = dataDir.resolve(FILE);
    if (Files.exists(file)) {
      if (posix(file) && !Files.getPosixFilePermissions(file).equals(OWNER_ONLY)) {
        throw new ConfigException(
            file + " must be readable by its owner only (chmod 600), or removed to make a new one");
      }
      return Files.readString(file, StandardCharsets.UTF_8).trim();
    }
    Files.createDirectories(dataDir);
    byte[] random = new byte[48];
    new SecureRandom().nextBytes(random);
    String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    // Created owner-only, so the secret is never readable by others, not even for a moment.
    if (posix(dataDir)) {
      Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
    } else {
      Files.createFile(file);
    }
    Files.writeString(file, secret + "\n", StandardCharsets.UTF_8);
    return secret;
  }

  private static boolean posix(Path path) {
    return path.getFileSystem().supportedFileAttributeViews().contains("posix");
  }
}

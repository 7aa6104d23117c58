package dev.sluice.launcher;

import dev.sluice.config.ConfigException;
import dev.sluice.config.OwnerOnly;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The HS256 secret of a local dev run, generated once and kept in {@code DATA_DIR/dev-jwt-secret}
 * (readable by its owner only) so tokens minted by {@code scripts/make-jwt} keep working across
 * runs.
 */
final class DevSecret {
  static final String FILE = "dev-jwt-secret";

  private DevSecret() {}

  static String loadOrCreate(Path dataDir) throws IOException {
    Path file = dataDir.resolve(FILE);
    if (Files.exists(file)) {
      if (OwnerOnly.posix(file) && !Files.getPosixFilePermissions(file).equals(OwnerOnly.FILE)) {
        throw new ConfigException(
            file + " must be readable by its owner only (chmod 600), or removed to make a new one");
      }
      return Files.readString(file, StandardCharsets.UTF_8).trim();
    }
    OwnerOnly.createDirectories(dataDir);
    byte[] random = new byte[48];
    new SecureRandom().nextBytes(random);
    String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    // Created owner-only, so the secret is never readable by others, not even for a moment.
    OwnerOnly.writeNewFile(file, secret + "\n");
    return secret;
  }
}

package dev.sluice.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/**
 * Directories and files only their owner may read: what the gateway keeps on disk (the broker's log
 * holds credentials on {@code llm.requests} for its retention, the state stores hold prompts, and
 * the dev secret signs tokens). Each is created with its permissions, never widened and then
 * narrowed, so no other user can open it even for a moment. On a file system without POSIX
 * permissions the platform's defaults apply.
 */
public final class OwnerOnly {
  /** {@code rwx------}. */
  public static final Set<PosixFilePermission> DIRECTORY =
      PosixFilePermissions.fromString("rwx------");

  /** {@code rw-------}. */
  public static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

  private static final Set<PosixFilePermission> OTHERS =
      EnumSet.of(
          PosixFilePermission.GROUP_READ,
          PosixFilePermission.GROUP_WRITE,
          PosixFilePermission.GROUP_EXECUTE,
          PosixFilePermission.OTHERS_READ,
          PosixFilePermission.OTHERS_WRITE,
          PosixFilePermission.OTHERS_EXECUTE);

  private OwnerOnly() {}

  /**
   * Creates {@code dir} and every missing parent as {@code 0700}; directories that exist are left
   * as they are.
   */
  public static Path createDirectories(Path dir) throws IOException {
    if (posix(dir)) {
      return Files.createDirectories(dir, attribute(DIRECTORY));
    }
    return Files.createDirectories(dir);
  }

  /** Creates {@code file}, which must not exist, as {@code 0600} and writes {@code text} to it. */
  public static Path writeNewFile(Path file, String text) throws IOException {
    if (posix(file)) {
      Files.createFile(file, attribute(FILE));
    } else {
      Files.createFile(file);
    }
    return Files.writeString(file, text, StandardCharsets.UTF_8);
  }

  /** Whether anyone but the owner may read, write or enter {@code path}. */
  public static boolean openToOthers(Path path) throws IOException {
    if (!posix(path)) {
      return false;
    }
    Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(path);
    permissions.retainAll(OTHERS);
    return !permissions.isEmpty();
  }

  /** Takes every permission of group and others away from {@code path}; the owner's stay. */
  public static void restrict(Path path) throws IOException {
    if (!posix(path)) {
      return;
    }
    Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(path);
    permissions.removeAll(OTHERS);
    Files.setPosixFilePermissions(path, permissions);
  }

  /** Whether {@code path}'s file system has POSIX permissions. */
  public static boolean posix(Path path) {
    return path.getFileSystem().supportedFileAttributeViews().contains("posix");
  }

  private static FileAttribute<Set<PosixFilePermission>> attribute(
      Set<PosixFilePermission> permissions) {
    return PosixFilePermissions.asFileAttribute(permissions);
  }
}

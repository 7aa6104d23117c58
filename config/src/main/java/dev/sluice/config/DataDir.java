package dev.sluice.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where the gateway keeps what it writes to disk ({@code DATA_DIR}, default {@code ./data}): the
 * local broker's log ({@code kafka/}), the pipeline's state stores ({@code pipeline-state/}) and
 * the dev JWT secret {@code scripts/run} generates. The broker's log holds the credentials on
 * {@code llm.requests} and the stores hold prompts, so the gateway creates it, and every directory
 * it makes under it, readable by its owner only ({@link OwnerOnly}). Files that Kafka writes itself
 * follow the process's umask; an owner-only data directory keeps them from others too.
 */
public record DataDir(Path path) {
  public static final String DEFAULT = "data";

  public DataDir {
    Objects.requireNonNull(path, "path");
  }

  public static DataDir from(Env env) {
    String value = env.get("DATA_DIR", DEFAULT);
    try {
      return new DataDir(Path.of(value));
    } catch (InvalidPathException e) {
      throw new ConfigException("DATA_DIR is not a usable path");
    }
  }

  /** A directory of its own under the data directory. */
  public Path resolve(String child) {
    return path.resolve(child);
  }

  /** Creates the data directory when missing, owner-only ({@code 0700}); returns its path. */
  public Path create() throws IOException {
    return OwnerOnly.createDirectories(path);
  }

  /** Creates {@code child} under the data directory (and the data directory) when missing. */
  public Path create(String child) throws IOException {
    create();
    return OwnerOnly.createDirectories(resolve(child));
  }

  /** Whether the data directory exists and others than its owner may read or enter it. */
  public boolean openToOthers() throws IOException {
    return Files.isDirectory(path) && OwnerOnly.openToOthers(path);
  }
}

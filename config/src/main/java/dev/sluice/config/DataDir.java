package dev.sluice.config;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where the gateway keeps what it writes to disk ({@code DATA_DIR}, default {@code ./data}): the
 * local broker's log ({@code kafka/}), the pipeline's state stores ({@code pipeline-state/}) and
 * the dev JWT secret {@code scripts/run} generates.
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
}

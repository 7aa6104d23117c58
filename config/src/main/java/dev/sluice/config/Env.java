package dev.sluice.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The gateway's configuration source: process environment variables, falling back to a {@code .env}
 * file in the working directory. Real environment variables always win, so a deployment can
 * override anything a checked-in file says.
 *
 * <p>Values are never logged here: some of them ({@code JWT_SECRET}, provider keys) are secrets.
 */
public final class Env {

  private final Map<String, String> values;

  private Env(Map<String, String> values) {
    this.values = Map.copyOf(values);
  }

  /** Environment variables over {@code ./.env}. */
  public static Env load() {
    return load(System.getenv(), Path.of(".env"));
  }

  /** Environment over the given dotenv file (which may be missing). */
  public static Env load(Map<String, String> environment, Path dotEnv) {
    Map<String, String> merged = new HashMap<>();
    if (Files.isRegularFile(dotEnv)) {
      merged.putAll(parseDotEnv(readLines(dotEnv)));
    }
    merged.putAll(environment);
    return new Env(merged);
  }

  /** Exactly these values; for tests and for child processes. */
  public static Env of(Map<String, String> values) {
    return new Env(values);
  }

  public Optional<String> get(String name) {
    String value = values.get(name);
    return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
  }

  public String get(String name, String fallback) {
    return get(name).orElse(fallback);
  }

  public int getInt(String name, int fallback) {
    return get(name).map(v -> parseInt(name, v)).orElse(fallback);
  }

  public long getLong(String name, long fallback) {
    return get(name).map(v -> parseLong(name, v)).orElse(fallback);
  }

  public boolean getBoolean(String name, boolean fallback) {
    return get(name).map(v -> parseBoolean(name, v)).orElse(fallback);
  }

  /** All values, for handing the same configuration to a child process. */
  public Map<String, String> asMap() {
    return values;
  }

  /** A copy with some values replaced. */
  public Env with(Map<String, String> overrides) {
    Map<String, String> merged = new HashMap<>(values);
    merged.putAll(overrides);
    return new Env(merged);
  }

  /**
   * A copy in which each of {@code defaults} fills a name this configuration leaves unset or blank;
   * a launcher gives its parts other defaults this way without reading (and parsing) the names
   * itself.
   */
  public Env withDefaults(Map<String, String> defaults) {
    Map<String, String> merged = new HashMap<>(values);
    defaults.forEach(
        (name, value) -> {
          if (get(name).isEmpty()) {
            merged.put(name, value);
          }
        });
    return new Env(merged);
  }

  static Map<String, String> parseDotEnv(List<String> lines) {
    Map<String, String> parsed = new HashMap<>();
    for (String raw : lines) {
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      if (line.startsWith("export ")) {
        line = line.substring("export ".length()).strip();
      }
      int eq = line.indexOf('=');
      if (eq <= 0) {
        continue;
      }
      String key = line.substring(0, eq).strip();
      String value = line.substring(eq + 1).strip();
      if (value.length() >= 2
          && (value.startsWith("\"") && value.endsWith("\"")
              || value.startsWith("'") && value.endsWith("'"))) {
        value = value.substring(1, value.length() - 1);
      } else {
        int comment = value.indexOf(" #");
        if (comment >= 0) {
          value = value.substring(0, comment).strip();
        }
      }
      parsed.put(key, value);
    }
    return parsed;
  }

  private static List<String> readLines(Path file) {
    try {
      return Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  private static int parseInt(String name, String value) {
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new ConfigException(name + " must be an integer");
    }
  }

  private static long parseLong(String name, String value) {
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new ConfigException(name + " must be an integer");
    }
  }

  private static boolean parseBoolean(String name, String value) {
    switch (value.toLowerCase(Locale.ROOT)) {
      case "true":
      case "1":
      case "yes":
        return true;
      case "false":
      case "0":
      case "no":
        return false;
      default:
        throw new ConfigException(name + " must be true or false");
    }
  }

  @Override
  public String toString() {
    // Names only: values may be secrets.
    return "Env" + values.keySet().stream().sorted().toList();
  }
}

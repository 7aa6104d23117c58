package dev.sluice.egress;

import dev.sluice.config.ConfigException;
import dev.sluice.config.Env;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A provider's API key, from {@code <PREFIX>_API_KEY} or from the file {@code
 * <PREFIX>_API_KEY_FILE} names (a mounted secret). Errors name the variable and the path, which are
 * configuration; the key itself never appears.
 */
public final class ApiKeys {
  private ApiKeys() {}

  /**
   * The key, or empty when neither variable is set.
   *
   * @throws ConfigException when both are set, the file is unreadable or empty, or the key holds
   *     whitespace, a control or a non-ASCII character
   */
  public static Optional<String> read(Env env, String prefix) {
    String direct = prefix + "_API_KEY";
    String fileVariable = direct + "_FILE";
    Optional<String> key = env.get(direct);
    Optional<String> file = env.get(fileVariable);
    if (key.isPresent() && file.isPresent()) {
      // Two sources would leave an operator guessing which one is in use.
      throw new ConfigException("set only one of " + direct + " and " + fileVariable);
    }
    if (key.isPresent()) {
      requireHeaderSafe(key.get(), direct);
      return key;
    }
    if (file.isEmpty()) {
      return Optional.empty();
    }
    String path = file.get();
    String content;
    try {
      content = Files.readString(Path.of(path), StandardCharsets.UTF_8).trim();
    } catch (IOException | InvalidPathException e) {
      throw new ConfigException(fileVariable + " cannot be read: " + path);
    }
    if (content.isEmpty()) {
      throw new ConfigException(fileVariable + " names an empty file: " + path);
    }
    requireHeaderSafe(content, fileVariable + " (" + path + ")");
    return Optional.of(content);
  }

  /** Keys travel in a header: whitespace or a control character inside one is a paste error. */
  private static void requireHeaderSafe(String key, String source) {
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c <= ' ' || c >= 0x7f) {
        throw new ConfigException(
            source + " holds whitespace or a character an API key cannot have");
      }
    }
  }
}

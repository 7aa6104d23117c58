package dev.sluice.pipeline.validation;

import dev.sluice.config.ConfigException;
import dev.sluice.config.Env;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * What a request may ask for: the models and the size caps. These are the gateway's defaults from
 * the environment; tenant policy may override them.
 *
 * @param allowedModels {@code ALLOWED_MODELS}: model names a request may name
 * @param maxMessages {@code MAX_MESSAGES}: messages in one request
 * @param maxMessageChars {@code MAX_MESSAGE_CHARS}: characters in one message, all text parts
 * @param maxTokensCap {@code MAX_TOKENS_CAP}: the largest {@code max_tokens} a request may ask
 */
public record ValidationLimits(
    Set<String> allowedModels, int maxMessages, int maxMessageChars, int maxTokensCap) {

  public ValidationLimits {
    allowedModels = Set.copyOf(allowedModels);
    if (maxMessages < 1 || maxMessageChars < 1 || maxTokensCap < 1) {
      throw new IllegalArgumentException("validation caps must be positive");
    }
  }

  public static ValidationLimits from(Env env) {
    List<String> models =
        Arrays.stream(env.get("ALLOWED_MODELS", "stub").split(","))
            .map(String::trim)
            .filter(model -> !model.isEmpty())
            .toList();
    return new ValidationLimits(
        Set.copyOf(models),
        positive(env, "MAX_MESSAGES", 64),
        positive(env, "MAX_MESSAGE_CHARS", 32_000),
        positive(env, "MAX_TOKENS_CAP", 4_096));
  }

  private static int positive(Env env, String name, int fallback) {
    int value = env.getInt(name, fallback);
    if (value < 1) {
      throw new ConfigException(name + " must be >= 1");
    }
    return value;
  }
}

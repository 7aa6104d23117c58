package dev.sluice.pipeline.validation;

import dev.sluice.config.ConfigException;
import dev.sluice.config.Env;
import dev.sluice.policy.TenantPolicy;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a request may ask for: the models and the size caps. These are the gateway's defaults from
 * the environment; tenant policy may override them.
 *
 * @param allowedModels model names a request may resolve to: {@code ALLOWED_MODELS}, narrowed by
 *     the tenant's policy
 * @param aliases short names and the model each resolves to (tenant policy)
 * @param maxMessages {@code MAX_MESSAGES}: messages in one request
 * @param maxMessageChars {@code MAX_MESSAGE_CHARS}: characters in one message, all text parts
 * @param maxTokensCap {@code MAX_TOKENS_CAP}: the largest {@code max_tokens} a request may ask
 */
public record ValidationLimits(
    Set<String> allowedModels,
    Map<String, String> aliases,
    int maxMessages,
    int maxMessageChars,
    int maxTokensCap) {

  public ValidationLimits {
    allowedModels = Set.copyOf(allowedModels);
    aliases = Map.copyOf(aliases);
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
        Map.of(),
        positive(env, "MAX_MESSAGES", 64),
        positive(env, "MAX_MESSAGE_CHARS", 32_000),
        positive(env, "MAX_TOKENS_CAP", 4_096));
  }

  /**
   * A tenant's limits: its policy over these gateway defaults. A model must be allowed by both
   * {@code ALLOWED_MODELS} and the tenant's policy.
   */
  public ValidationLimits forTenant(TenantPolicy policy) {
    Set<String> models = new HashSet<>(allowedModels);
    policy.allowedModels().ifPresent(models::retainAll);
    return new ValidationLimits(
        models,
        policy.aliases(),
        policy.maxMessages() != null ? policy.maxMessages() : maxMessages,
        policy.maxMessageChars() != null ? policy.maxMessageChars() : maxMessageChars,
        policy.maxTokens() != null ? policy.maxTokens() : maxTokensCap);
  }

  /** The model a request names, after aliases. */
  public String resolve(String model) {
    return aliases.getOrDefault(model, model);
  }

  private static int positive(Env env, String name, int fallback) {
    int value = env.getInt(name, fallback);
    if (value < 1) {
      throw new ConfigException(name + " must be >= 1");
    }
    return value;
  }
}

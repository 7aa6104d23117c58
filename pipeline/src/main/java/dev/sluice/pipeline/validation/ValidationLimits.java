package dev.sluice.pipeline.validation;

import dev.sluice.config.ConfigException;
import dev.sluice.config.Env;
import dev.sluice.policy.TenantPolicy;

/**
 * How big a request may be: the gateway's caps from the environment, which a tenant's policy may
 * replace ({@code limits}); and which of its fields may reach the provider, which only the policy
 * changes ({@code request_fields}). Which models a request may name is {@link
 * dev.sluice.policy.ModelAccess}'s to say.
 *
 * @param maxMessages {@code MAX_MESSAGES}: messages in one request
 * @param maxMessageChars {@code MAX_MESSAGE_CHARS}: characters in one message (all text parts, its
 *     name and tool calls), in one context chunk, and in all tool definitions together
 * @param maxTokensCap {@code MAX_TOKENS_CAP}: the largest {@code max_tokens} a request may ask
 * @param passthroughUnknownFields whether fields outside OpenAI's Chat Completions API pass to the
 *     provider; else they are refused (the default)
 * @param providerStorage whether {@code store} and {@code metadata} may reach the provider (the
 *     default)
 */
public record ValidationLimits(
    int maxMessages,
    int maxMessageChars,
    int maxTokensCap,
    boolean passthroughUnknownFields,
    boolean providerStorage) {
  public static final int DEFAULT_MAX_MESSAGES = 64;
  public static final int DEFAULT_MAX_MESSAGE_CHARS = 32_000;
  public static final int DEFAULT_MAX_TOKENS_CAP = 4_096;

  public ValidationLimits {
    // A tenant's caps were checked by the bundle already; these words fit the environment's.
    positive("MAX_MESSAGES", maxMessages);
    positive("MAX_MESSAGE_CHARS", maxMessageChars);
    positive("MAX_TOKENS_CAP", maxTokensCap);
  }

  /** Caps with the default field rules: unknown fields refused, provider storage allowed. */
  public ValidationLimits(int maxMessages, int maxMessageChars, int maxTokensCap) {
    this(maxMessages, maxMessageChars, maxTokensCap, false, true);
  }

  public static ValidationLimits from(Env env) {
    return new ValidationLimits(
        env.getInt("MAX_MESSAGES", DEFAULT_MAX_MESSAGES),
        env.getInt("MAX_MESSAGE_CHARS", DEFAULT_MAX_MESSAGE_CHARS),
        env.getInt("MAX_TOKENS_CAP", DEFAULT_MAX_TOKENS_CAP));
  }

  /** A tenant's caps: its policy's {@code limits} over these gateway defaults. */
  public ValidationLimits forTenant(TenantPolicy policy) {
    return new ValidationLimits(
        policy.maxMessages() != null ? policy.maxMessages() : maxMessages,
        policy.maxMessageChars() != null ? policy.maxMessageChars() : maxMessageChars,
        policy.maxTokens() != null ? policy.maxTokens() : maxTokensCap,
        policy.passesUnknownFields(),
        policy.allowsProviderStorage());
  }

  private static void positive(String name, int value) {
    if (value < 1) {
      throw new ConfigException(name + " must be >= 1");
    }
  }
}

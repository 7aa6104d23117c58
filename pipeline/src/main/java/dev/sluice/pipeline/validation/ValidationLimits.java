package dev.sluice.pipeline.validation;

import dev.sluice.config.ConfigException;
import dev.sluice.config.Env;
import dev.sluice.policy.TenantPolicy;

/**
 * How big a request may be: the gateway's caps from the environment, which a tenant's policy may
 * replace ({@code limits}). Which models a request may name is {@link
 * dev.sluice.policy.ModelAccess}'s to say.
 *
 * @param maxMessages {@code MAX_MESSAGES}: messages in one request
 * @param maxMessageChars {@code MAX_MESSAGE_CHARS}: characters in one message (all text parts, its
 *     name and tool calls), in one context chunk, and in all tool definitions together
 * @param maxTokensCap {@code MAX_TOKENS_CAP}: the largest {@code max_tokens} a request may ask
 */
public record ValidationLimits(int maxMessages, int maxMessageChars, int maxTokensCap) {
  public static final int DEFAULT_MAX_MESSAGES = 64;
  public static final int DEFAULT_MAX_MESSAGE_CHARS = 32_000;
  public static final int DEFAULT_MAX_TOKENS_CAP = 4_096;

  public ValidationLimits {
    // A tenant's caps were checked by the bundle already; these words fit the environment's.
    positive("MAX_MESSAGES", maxMessages);
    positive("MAX_MESSAGE_CHARS", maxMessageChars);
    positive("MAX_TOKENS_CAP", maxTokensCap);
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
        policy.maxTokens() != null ? policy.maxTokens() : maxTokensCap);
  }

  private static void positive(String name, int value) {
    if (value < 1) {
      throw new ConfigException(name + " must be >= 1");
    }
  }
}

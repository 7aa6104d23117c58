package dev.sluice.egress;

import dev.sluice.schemas.chat.ChatMessage;
import dev.sluice.schemas.reply.ChoiceLogprobs;
import dev.sluice.schemas.reply.Usage;
import java.util.Objects;

/**
 * What a provider answered, already in the OpenAI shape.
 *
 * @param provider the provider that answered
 * @param model the model that answered, as the provider names it
 * @param providerId the provider's own id of the answer, or null
 * @param systemFingerprint the provider's {@code system_fingerprint}, or null
 * @param serviceTier the {@code service_tier} the provider used, or null
 * @param logprobs the answer's token log probabilities when the request asked for them, or null
 */
public record ProviderAnswer(
    String provider,
    String model,
    ChatMessage message,
    String finishReason,
    Usage usage,
    String providerId,
    String systemFingerprint,
    String serviceTier,
    ChoiceLogprobs logprobs) {
  public ProviderAnswer {
    Objects.requireNonNull(provider, "provider");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(finishReason, "finishReason");
    Objects.requireNonNull(usage, "usage");
  }

  /** An answer without log probabilities. */
  public ProviderAnswer(
      String provider,
      String model,
      ChatMessage message,
      String finishReason,
      Usage usage,
      String providerId,
      String systemFingerprint,
      String serviceTier) {
    this(
        provider,
        model,
        message,
        finishReason,
        usage,
        providerId,
        systemFingerprint,
        serviceTier,
        null);
  }

  /** An answer without the provider's own id, fingerprint and tier. */
  public ProviderAnswer(
      String provider, String model, ChatMessage message, String finishReason, Usage usage) {
    this(provider, model, message, finishReason, usage, null, null, null);
  }
}

package dev.sluice.egress;

import dev.sluice.schemas.chat.ChatMessage;
import dev.sluice.schemas.reply.Usage;
import java.util.Objects;

/**
 * What a provider answered, already in the OpenAI shape.
 *
 * @param provider the provider that answered
 * @param model the model that answered, as the provider names it
 */
public record ProviderAnswer(
    String provider, String model, ChatMessage message, String finishReason, Usage usage) {
  public ProviderAnswer {
    Objects.requireNonNull(provider, "provider");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(finishReason, "finishReason");
    Objects.requireNonNull(usage, "usage");
  }
}

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
  /**
   * The most text an answer may have (its content, refusal and tool calls' arguments, in
   * characters). A reply carries the content twice (the choice and {@code answer}) and must fit the
   * reply topic's 4 MiB records with its log probabilities ({@code MAX_LOGPROB_BYTES}, 1 MiB): 384
   * Ki characters are at most 1.1 MiB of UTF-8 each time. That is about 96,000 tokens of English,
   * more than any model's completion limit but the largest; a larger answer is a provider error
   * (502), never a reply too large to write, which would fail the stream thread that wrote it.
   */
  public static final int MAX_TEXT_CHARS = 384 * 1024;

  public ProviderAnswer {
    Objects.requireNonNull(provider, "provider");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(finishReason, "finishReason");
    Objects.requireNonNull(usage, "usage");
    if (textChars(message) > MAX_TEXT_CHARS) {
      throw new ProviderException(
          ProviderException.Kind.ERROR,
          "the provider's answer is longer than the gateway passes on ("
              + MAX_TEXT_CHARS
              + " characters)");
    }
  }

  private static long textChars(ChatMessage message) {
    long chars = message.refusal() == null ? 0 : message.refusal().length();
    for (var part : message.content()) {
      chars += part.text().length();
    }
    for (var call : message.toolCalls()) {
      chars += call.function().arguments().length() + call.function().name().length();
    }
    return chars;
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

package dev.sluice.schemas.reply;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * OpenAI's {@code chat.completion} object plus the gateway's {@code answer} (the first choice's
 * text), {@code citations} and {@code meta}.
 *
 * @param systemFingerprint the provider's, as it sent it, or null
 * @param serviceTier the tier the provider used, as it sent it, or null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ChatCompletion(
    String id,
    String object,
    long created,
    String model,
    List<Choice> choices,
    Usage usage,
    @JsonProperty("system_fingerprint") String systemFingerprint,
    @JsonProperty("service_tier") String serviceTier,
    String answer,
    List<Citation> citations,
    Meta meta) {

  public static final String OBJECT = "chat.completion";

  public ChatCompletion {
    choices = List.copyOf(choices);
    citations = citations == null ? List.of() : List.copyOf(citations);
  }

  /** A completion without the provider's fingerprint and tier. */
  public ChatCompletion(
      String id,
      String object,
      long created,
      String model,
      List<Choice> choices,
      Usage usage,
      String answer,
      List<Citation> citations,
      Meta meta) {
    this(id, object, created, model, choices, usage, null, null, answer, citations, meta);
  }

  @Override
  public String toString() {
    // The completion text never reaches a log line.
    return "ChatCompletion[id=" + id + ", model=" + model + ", choices=" + choices.size() + "]";
  }
}

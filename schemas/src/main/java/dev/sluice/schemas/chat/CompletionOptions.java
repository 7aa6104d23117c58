package dev.sluice.schemas.chat;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Chat Completions fields the gateway passes on to the provider as the caller sent them, each
 * checked for its type and bounds by {@link ChatRequests}: JSON mode and structured outputs, seeds,
 * logprobs, penalties, reasoning and service options. The fields the gateway acts on itself
 * (messages, tools, caps) are {@link ChatRequest}'s own.
 *
 * <p>A {@link ChatRequest} writes them as its own fields ({@link #fields}); this record's JSON form
 * is not used on any topic.
 *
 * <p>{@code unknownFields} holds what the gateway does not know, in the caller's order; the
 * validation stage refuses a request that has any unless the tenant's policy passes them through.
 * {@link #toString} names the fields present and never their values: metadata and predictions are
 * the caller's data.
 *
 * @param capField the name the completion cap came under, so it is passed on under the same name
 *     (reasoning models refuse {@code max_tokens})
 * @param responseFormat {@code {"type":"text"|"json_object"|"json_schema",...}}, or null
 * @param prediction {@code {"type":"content","content":...}}: text the model reads, or null
 * @param unknownFields fields outside OpenAI's Chat Completions API, by name
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CompletionOptions(
    @JsonProperty("cap_field") CapField capField,
    @JsonProperty("response_format") JsonNode responseFormat,
    Long seed,
    Boolean logprobs,
    @JsonProperty("top_logprobs") Integer topLogprobs,
    Map<String, String> metadata,
    Boolean store,
    @JsonProperty("frequency_penalty") Double frequencyPenalty,
    @JsonProperty("presence_penalty") Double presencePenalty,
    @JsonProperty("logit_bias") Map<String, Integer> logitBias,
    @JsonProperty("reasoning_effort") String reasoningEffort,
    @JsonProperty("service_tier") String serviceTier,
    JsonNode prediction,
    List<String> modalities,
    @JsonProperty("safety_identifier") String safetyIdentifier,
    @JsonProperty("prompt_cache_key") String promptCacheKey,
    String verbosity,
    @JsonProperty("unknown_fields") @JsonInclude(JsonInclude.Include.NON_EMPTY)
        Map<String, JsonNode> unknownFields) {

  /** No option set. */
  public static final CompletionOptions NONE =
      new CompletionOptions(
          CapField.MAX_TOKENS,
          null,
          null,
          null,
          null,
          null,
          null,
          null,
          null,
          null,
          null,
          null,
          null,
          null,
          null,
          null,
          null,
          Map.of());

  /** The two names of the completion cap. */
  public enum CapField {
    MAX_TOKENS("max_tokens"),
    MAX_COMPLETION_TOKENS("max_completion_tokens");

    private final String field;

    CapField(String field) {
      this.field = field;
    }

    /** The field's name on the wire. */
    public String field() {
      return field;
    }
  }

  public CompletionOptions {
    capField = capField == null ? CapField.MAX_TOKENS : capField;
    responseFormat = responseFormat == null ? null : responseFormat.deepCopy();
    metadata = metadata == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    logitBias =
        logitBias == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(logitBias));
    prediction = prediction == null ? null : prediction.deepCopy();
    modalities = modalities == null ? null : List.copyOf(modalities);
    Map<String, JsonNode> unknown = new LinkedHashMap<>();
    if (unknownFields != null) {
      unknownFields.forEach((name, value) -> unknown.put(name, value.deepCopy()));
    }
    unknownFields = Collections.unmodifiableMap(unknown);
  }

  /**
   * The options as the provider's request fields, under OpenAI's names, the unknown fields last.
   * JSON values are copies, so a caller of this cannot change the options.
   */
  @JsonIgnore
  public Map<String, Object> fields() {
    Map<String, Object> fields = new LinkedHashMap<>();
    put(fields, "response_format", responseFormat == null ? null : responseFormat.deepCopy());
    put(fields, "seed", seed);
    put(fields, "logprobs", logprobs);
    put(fields, "top_logprobs", topLogprobs);
    put(fields, "metadata", metadata);
    put(fields, "store", store);
    put(fields, "frequency_penalty", frequencyPenalty);
    put(fields, "presence_penalty", presencePenalty);
    put(fields, "logit_bias", logitBias);
    put(fields, "reasoning_effort", reasoningEffort);
    put(fields, "service_tier", serviceTier);
    put(fields, "prediction", prediction == null ? null : prediction.deepCopy());
    put(fields, "modalities", modalities);
    put(fields, "safety_identifier", safetyIdentifier);
    put(fields, "prompt_cache_key", promptCacheKey);
    put(fields, "verbosity", verbosity);
    unknownFields.forEach((name, value) -> fields.put(name, value.deepCopy()));
    return fields;
  }

  /** These options with another prediction and response format (cleaned by a stage). */
  public CompletionOptions withModelReadJson(JsonNode changedPrediction, JsonNode changedFormat) {
    return new CompletionOptions(
        capField,
        changedFormat,
        seed,
        logprobs,
        topLogprobs,
        metadata,
        store,
        frequencyPenalty,
        presencePenalty,
        logitBias,
        reasoningEffort,
        serviceTier,
        changedPrediction,
        modalities,
        safetyIdentifier,
        promptCacheKey,
        verbosity,
        unknownFields);
  }

  private static void put(Map<String, Object> fields, String name, Object value) {
    if (value != null) {
      fields.put(name, value);
    }
  }

  /** Whether {@code response_format} asks for JSON ({@code json_object} or {@code json_schema}). */
  @JsonIgnore
  public boolean wantsJson() {
    if (responseFormat == null) {
      return false;
    }
    String type = responseFormat.path("type").asText("");
    return type.equals("json_object") || type.equals("json_schema");
  }

  /**
   * The text the model reads in these options, by the field it is in, for the guardrails and the
   * caps: the predicted content ({@code prediction}), and the {@code json_schema}'s description and
   * schema as compact JSON ({@code response_format}).
   */
  @JsonIgnore
  public Map<String, String> texts() {
    Map<String, String> texts = new LinkedHashMap<>();
    if (prediction != null) {
      JsonNode content = prediction.path("content");
      if (content.isTextual()) {
        texts.put("prediction", content.textValue());
      } else {
        StringBuilder parts = new StringBuilder();
        for (JsonNode part : content) {
          parts.append(parts.length() == 0 ? "" : "\n").append(part.path("text").asText(""));
        }
        texts.put("prediction", parts.toString());
      }
    }
    if (responseFormat != null) {
      JsonNode schema = responseFormat.path("json_schema");
      StringBuilder text = new StringBuilder();
      if (schema.path("description").isTextual()) {
        text.append(schema.get("description").textValue());
      }
      if (schema.path("schema").isObject()) {
        text.append(text.length() == 0 ? "" : "\n").append(schema.get("schema").toString());
      }
      if (text.length() > 0) {
        texts.put("response_format", text.toString());
      }
    }
    return texts;
  }

  @Override
  public String toString() {
    List<String> present = new ArrayList<>(fields().keySet());
    present.add(0, capField.field());
    return "CompletionOptions" + present;
  }
}

package dev.sluice.schemas.chat;

import static dev.sluice.schemas.chat.ChatRequests.boundedString;
import static dev.sluice.schemas.chat.ChatRequests.invalid;
import static dev.sluice.schemas.chat.ChatRequests.optionalBoolean;
import static dev.sluice.schemas.chat.ChatRequests.optionalNumber;
import static dev.sluice.schemas.chat.ChatRequests.optionalString;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.schemas.chat.CompletionOptions.CapField;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads {@link CompletionOptions} from a request body, with OpenAI's documented bounds, and sorts
 * every other top-level field into the ones {@link ChatRequests} reads, the ones the gateway
 * refuses on purpose, and the unknown ones.
 */
final class CompletionOptionsReader {
  private CompletionOptionsReader() {}

  /** The fields {@link ChatRequests} reads itself, the gateway's {@code context} among them. */
  static final Set<String> READ_BY_REQUEST =
      Set.of(
          "model",
          "messages",
          "max_tokens",
          "max_completion_tokens",
          "temperature",
          "top_p",
          "stop",
          "user",
          "context",
          "tools",
          "tool_choice",
          "parallel_tool_calls",
          "stream",
          "n");

  /** The fields read here into {@link CompletionOptions}. */
  static final Set<String> OPTIONS =
      Set.of(
          "response_format",
          "seed",
          "logprobs",
          "top_logprobs",
          "metadata",
          "store",
          "frequency_penalty",
          "presence_penalty",
          "logit_bias",
          "reasoning_effort",
          "service_tier",
          "prediction",
          "modalities",
          "safety_identifier",
          "prompt_cache_key",
          "verbosity");

  /**
   * OpenAI fields the gateway refuses, and why: each would bring the model text, or give the caller
   * an answer, that no guardrail has seen.
   */
  static final Map<String, String> REFUSED =
      Map.of(
          "audio",
          "audio answers are not supported: the gateway cannot redact audio",
          "web_search_options",
          "web search is not supported: the pages found would reach the model without the context"
              + " firewall",
          "functions",
          "functions is deprecated and not supported; use tools",
          "function_call",
          "function_call is deprecated and not supported; use tool_choice",
          "stream_options",
          "stream_options is only allowed when stream is true");

  /** OpenAI's bounds. */
  static final int MAX_METADATA_PAIRS = 16;

  static final int MAX_METADATA_KEY_CHARS = 64;
  static final int MAX_METADATA_VALUE_CHARS = 512;
  static final int MAX_TOP_LOGPROBS = 20;
  static final int MAX_LOGIT_BIAS = 100;
  static final int MAX_SAFETY_IDENTIFIER_CHARS = 64;
  static final int MAX_PROMPT_CACHE_KEY_CHARS = 1024;

  /** The gateway's own bounds, so no option can bloat a record. */
  static final int MAX_LOGIT_BIAS_ENTRIES = 1024;

  static final int MAX_UNKNOWN_FIELDS = 32;
  static final int MAX_FIELD_NAME_CHARS = 64;

  static final Pattern FIELD_NAME =
      Pattern.compile("[A-Za-z0-9_.-]{1," + MAX_FIELD_NAME_CHARS + "}");
  private static final Pattern SCHEMA_NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  // Enumerations OpenAI extends now and then (reasoning efforts, service tiers): the provider
  // checks the value, the gateway its shape.
  private static final Pattern WORD = Pattern.compile("[a-z][a-z0-9_-]{0,31}");
  private static final Pattern TOKEN_ID = Pattern.compile("[0-9]{1,9}");

  static CompletionOptions read(JsonNode root, CapField capField) throws InvalidChatRequest {
    for (Map.Entry<String, String> refused : REFUSED.entrySet()) {
      JsonNode value = root.get(refused.getKey());
      if (value != null && !value.isNull()) {
        throw unsupported(refused.getKey(), refused.getValue());
      }
    }
    JsonNode responseFormat = responseFormat(root.get("response_format"));
    Long seed = seed(root.get("seed"));
    Boolean logprobs = optionalBoolean(root, "logprobs");
    Integer topLogprobs = topLogprobs(root.get("top_logprobs"), logprobs);
    Map<String, String> metadata = metadata(root.get("metadata"));
    Boolean store = optionalBoolean(root, "store");
    Double frequencyPenalty = optionalNumber(root, "frequency_penalty", -2, 2);
    Double presencePenalty = optionalNumber(root, "presence_penalty", -2, 2);
    Map<String, Integer> logitBias = logitBias(root.get("logit_bias"));
    String reasoningEffort = word(root, "reasoning_effort");
    String serviceTier = word(root, "service_tier");
    JsonNode prediction = prediction(root.get("prediction"));
    List<String> modalities = modalities(root.get("modalities"));
    String safetyIdentifier = boundedString(root, "safety_identifier", MAX_SAFETY_IDENTIFIER_CHARS);
    String promptCacheKey = boundedString(root, "prompt_cache_key", MAX_PROMPT_CACHE_KEY_CHARS);
    String verbosity = word(root, "verbosity");
    return new CompletionOptions(
        capField,
        responseFormat,
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
        prediction,
        modalities,
        safetyIdentifier,
        promptCacheKey,
        verbosity,
        unknownFields(root));
  }

  private static Map<String, JsonNode> unknownFields(JsonNode root) throws InvalidChatRequest {
    Map<String, JsonNode> unknown = new LinkedHashMap<>();
    Iterator<Map.Entry<String, JsonNode>> fields = root.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      String name = field.getKey();
      if (READ_BY_REQUEST.contains(name) || OPTIONS.contains(name) || REFUSED.containsKey(name)) {
        continue;
      }
      if (!FIELD_NAME.matcher(name).matches()) {
        // Not echoed: it is not a parameter name, and it could be anything.
        throw unsupported(null, "the request has a field whose name is not a parameter name");
      }
      unknown.put(name, field.getValue());
      if (unknown.size() > MAX_UNKNOWN_FIELDS) {
        throw unsupported(
            name, "the request has more than " + MAX_UNKNOWN_FIELDS + " unknown fields");
      }
    }
    return unknown;
  }

  private static JsonNode responseFormat(JsonNode node) throws InvalidChatRequest {
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isObject() || !node.path("type").isTextual()) {
      throw invalid("response_format", "response_format must be an object with a type");
    }
    switch (node.get("type").textValue()) {
      case "text", "json_object" -> {
        return node;
      }
      case "json_schema" -> {
        JsonNode schema = node.get("json_schema");
        if (schema == null || !schema.isObject()) {
          throw invalid(
              "response_format.json_schema", "a json_schema response format needs json_schema");
        }
        JsonNode name = schema.get("name");
        if (name == null || !name.isTextual() || !SCHEMA_NAME.matcher(name.textValue()).matches()) {
          throw invalid(
              "response_format.json_schema.name",
              "a schema name is 1 to 64 letters, digits, _ or -");
        }
        optionalString(schema, "description", "response_format.json_schema");
        JsonNode body = schema.get("schema");
        if (body != null && !body.isNull() && !body.isObject()) {
          throw invalid(
              "response_format.json_schema.schema", "schema must be a JSON Schema object");
        }
        optionalBoolean(schema, "strict", "response_format.json_schema");
        return node;
      }
      default ->
          throw invalid(
              "response_format.type",
              "response_format.type must be text, json_object or json_schema");
    }
  }

  private static Long seed(JsonNode node) throws InvalidChatRequest {
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isIntegralNumber() || !node.canConvertToLong()) {
      throw invalid("seed", "seed must be an integer");
    }
    return node.longValue();
  }

  private static Integer topLogprobs(JsonNode node, Boolean logprobs) throws InvalidChatRequest {
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isIntegralNumber()
        || !node.canConvertToInt()
        || node.intValue() < 0
        || node.intValue() > MAX_TOP_LOGPROBS) {
      throw invalid(
          "top_logprobs", "top_logprobs must be an integer from 0 to " + MAX_TOP_LOGPROBS);
    }
    if (!Boolean.TRUE.equals(logprobs)) {
      throw invalid("top_logprobs", "top_logprobs needs logprobs set to true");
    }
    return node.intValue();
  }

  private static Map<String, String> metadata(JsonNode node) throws InvalidChatRequest {
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isObject()) {
      throw invalid("metadata", "metadata must be an object of strings");
    }
    if (node.size() > MAX_METADATA_PAIRS) {
      throw invalid("metadata", "metadata may have at most " + MAX_METADATA_PAIRS + " pairs");
    }
    Map<String, String> metadata = new LinkedHashMap<>();
    Iterator<Map.Entry<String, JsonNode>> pairs = node.fields();
    while (pairs.hasNext()) {
      Map.Entry<String, JsonNode> pair = pairs.next();
      if (pair.getKey().length() > MAX_METADATA_KEY_CHARS) {
        throw invalid(
            "metadata",
            "a metadata key may have at most " + MAX_METADATA_KEY_CHARS + " characters");
      }
      if (!pair.getValue().isTextual()) {
        throw invalid("metadata", "metadata values must be strings");
      }
      if (pair.getValue().textValue().length() > MAX_METADATA_VALUE_CHARS) {
        throw invalid(
            "metadata",
            "a metadata value may have at most " + MAX_METADATA_VALUE_CHARS + " characters");
      }
      metadata.put(pair.getKey(), pair.getValue().textValue());
    }
    return metadata;
  }

  private static Map<String, Integer> logitBias(JsonNode node) throws InvalidChatRequest {
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isObject()) {
      throw invalid("logit_bias", "logit_bias must be an object of token ids to numbers");
    }
    if (node.size() > MAX_LOGIT_BIAS_ENTRIES) {
      throw invalid(
          "logit_bias", "logit_bias may have at most " + MAX_LOGIT_BIAS_ENTRIES + " entries");
    }
    Map<String, Integer> bias = new LinkedHashMap<>();
    Iterator<Map.Entry<String, JsonNode>> entries = node.fields();
    while (entries.hasNext()) {
      Map.Entry<String, JsonNode> entry = entries.next();
      JsonNode value = entry.getValue();
      if (!TOKEN_ID.matcher(entry.getKey()).matches()) {
        throw invalid("logit_bias", "logit_bias keys must be token ids");
      }
      if (!value.isNumber()
          || value.doubleValue() != Math.rint(value.doubleValue())
          || Math.abs(value.doubleValue()) > MAX_LOGIT_BIAS) {
        throw invalid(
            "logit_bias", "logit_bias values must be integers from -100 to " + MAX_LOGIT_BIAS);
      }
      bias.put(entry.getKey(), value.intValue());
    }
    return bias;
  }

  private static JsonNode prediction(JsonNode node) throws InvalidChatRequest {
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isObject() || !"content".equals(node.path("type").textValue())) {
      throw invalid("prediction", "prediction must be {\"type\":\"content\",\"content\":...}");
    }
    JsonNode content = node.get("content");
    if (content == null || !(content.isTextual() || content.isArray())) {
      throw invalid(
          "prediction.content", "prediction.content must be a string or an array of text parts");
    }
    if (content.isArray()) {
      for (int i = 0; i < content.size(); i++) {
        JsonNode part = content.get(i);
        if (!part.isObject()
            || !"text".equals(part.path("type").textValue())
            || !part.path("text").isTextual()) {
          throw invalid("prediction.content[" + i + "]", "a prediction part must be a text part");
        }
      }
    }
    return node;
  }

  private static List<String> modalities(JsonNode node) throws InvalidChatRequest {
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isArray()) {
      throw invalid("modalities", "modalities must be an array of strings");
    }
    List<String> modalities = new ArrayList<>(node.size());
    for (JsonNode item : node) {
      if (!item.isTextual()) {
        throw invalid("modalities", "modalities must be an array of strings");
      }
      if (!item.textValue().equals("text")) {
        throw unsupported(
            "modalities", "only text answers are supported: the gateway cannot redact other kinds");
      }
      modalities.add(item.textValue());
    }
    return modalities;
  }

  private static String word(JsonNode root, String field) throws InvalidChatRequest {
    String value = optionalString(root, field);
    if (value != null && !WORD.matcher(value).matches()) {
      throw invalid(field, field + " must be one of the values OpenAI documents for it");
    }
    return value;
  }

  private static InvalidChatRequest unsupported(String param, String message) {
    return new InvalidChatRequest("unsupported_parameter", param, message);
  }
}

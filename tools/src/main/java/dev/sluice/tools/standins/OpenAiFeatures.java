package dev.sluice.tools.standins;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * What the stand-in does beyond echoing, in OpenAI's wire format (OpenAI and Azure alike), so that
 * clients can be tried against the gateway as against OpenAI:
 *
 * <ul>
 *   <li>Error modes by model name, each with the status, body and headers OpenAI sends: {@code
 *       error-400} ({@code invalid_value}, param {@code temperature}), {@code error-401} ({@code
 *       invalid_api_key}), {@code error-404} ({@code model_not_found}), {@code error-422}, {@code
 *       error-429} ({@code rate_limit_exceeded} with {@code x-ratelimit-*} and {@code
 *       retry-after-ms: 0}) and {@code error-500} ({@code server_error}).
 *   <li>A model named {@code refuse} refuses: {@code content: null} and a {@code refusal}.
 *   <li>A model named {@code slow-<ms>} answers after that many milliseconds, whatever the server's
 *       delay: a slow call among fast ones, for clients' timeouts and retries.
 *   <li>{@code response_format}: {@code json_object} answers {@code {"echo": <prompt>}}; {@code
 *       json_schema} answers an object with every property of the schema, strings as the echo,
 *       numbers 1, booleans true, arrays empty, objects filled the same way.
 *   <li>{@code logprobs: true} adds the answer's tokens (its words, with their leading space), each
 *       with its UTF-8 bytes and {@code top_logprobs} alternatives.
 * </ul>
 */
final class OpenAiFeatures {
  private OpenAiFeatures() {}

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /** The model name of the refusing stand-in. */
  static final String REFUSE = "refuse";

  /** The delay a model named {@code slow-<ms>} asks for, or -1 for the server's own. */
  static long slowMs(String model) {
    if (model == null || !model.startsWith("slow-")) {
      return -1;
    }
    try {
      return Math.max(0, Math.min(Long.parseLong(model.substring("slow-".length())), 600_000));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** The error a model name asks for, or null when it asks for none. */
  static WireFormat.Refusal errorMode(String model) {
    if (model == null || !model.startsWith("error-")) {
      return null;
    }
    return switch (model.substring("error-".length())) {
      case "400" ->
          error(
              400,
              "Invalid value for 'temperature': expected a number between 0 and 2.",
              "invalid_request_error",
              "temperature",
              "invalid_value",
              Map.of());
      case "401" ->
          error(
              401,
              "Incorrect API key provided.",
              "invalid_request_error",
              null,
              "invalid_api_key",
              Map.of());
      case "404" ->
          error(
              404,
              "The model `" + model + "` does not exist or you do not have access to it.",
              "invalid_request_error",
              null,
              "model_not_found",
              Map.of());
      case "422" ->
          error(422, "Unprocessable request.", "invalid_request_error", null, null, Map.of());
      case "429" ->
          error(
              429,
              "Rate limit reached for requests.",
              "requests",
              null,
              "rate_limit_exceeded",
              Map.of(
                  "x-ratelimit-limit-requests", "500",
                  "x-ratelimit-remaining-requests", "0",
                  "x-ratelimit-reset-requests", "120ms",
                  "retry-after-ms", "0"));
      case "500" ->
          error(
              500,
              "The server had an error while processing your request.",
              "server_error",
              null,
              null,
              Map.of());
      default -> null;
    };
  }

  private static WireFormat.Refusal error(
      int status,
      String message,
      String type,
      String param,
      String code,
      Map<String, String> headers) {
    ObjectNode error = NODES.objectNode();
    error.put("message", message);
    error.put("type", type);
    error.put("param", param);
    error.put("code", code);
    ObjectNode body = NODES.objectNode();
    body.set("error", error);
    return new WireFormat.Refusal(status, body, headers);
  }

  /**
   * Shapes a chat completion as the request asked: a refusal, a JSON answer, log probabilities.
   *
   * @param prompt the last user text, which the answer echoes
   */
  static void shape(ObjectNode answer, JsonNode request, String model, String prompt) {
    ObjectNode choice = (ObjectNode) answer.path("choices").get(0);
    ObjectNode message = (ObjectNode) choice.get("message");
    answer.put("system_fingerprint", "fp_standin");
    if (REFUSE.equals(model)) {
      message.putNull("content");
      message.put("refusal", "I'm sorry, I can't help with that.");
      return;
    }
    message.putNull("refusal");
    message.putArray("annotations");
    JsonNode format = request.path("response_format");
    String type = format.path("type").asText("");
    if (type.equals("json_object")) {
      message.put("content", NODES.objectNode().put("echo", prompt).toString());
    } else if (type.equals("json_schema")) {
      message.put(
          "content",
          filled(format.path("json_schema").path("schema"), "echo: " + prompt).toString());
    }
    if (request.path("logprobs").asBoolean(false)) {
      int alternatives = request.path("top_logprobs").asInt(0);
      ArrayNode tokens = choice.putObject("logprobs").putArray("content");
      for (String token : tokens(message.path("content").asText(""))) {
        ObjectNode entry = tokens.addObject();
        entry.put("token", token);
        entry.put("logprob", -0.1);
        entry.set("bytes", bytes(token));
        ArrayNode top = entry.putArray("top_logprobs");
        for (int k = 0; k < alternatives; k++) {
          String alternative = k == 0 ? token : token + k;
          top.addObject()
              .put("token", alternative)
              .put("logprob", -0.1 - k)
              .set("bytes", bytes(alternative));
        }
      }
      ((ObjectNode) choice.get("logprobs")).putNull("refusal");
    }
  }

  /** A value for a JSON Schema: every property there, with a value of its type. */
  static JsonNode filled(JsonNode schema, String text) {
    if (schema.path("anyOf").isArray() && !schema.has("type")) {
      return filled(schema.path("anyOf").path(0), text);
    }
    String type = typeOf(schema.path("type"));
    switch (type) {
      case "string":
        return NODES.textNode(text);
      case "integer":
      case "number":
        return NODES.numberNode(1);
      case "boolean":
        return NODES.booleanNode(true);
      case "array":
        return NODES.arrayNode();
      case "null":
        return NODES.nullNode();
      default:
        ObjectNode object = NODES.objectNode();
        Iterator<Map.Entry<String, JsonNode>> properties = schema.path("properties").fields();
        while (properties.hasNext()) {
          Map.Entry<String, JsonNode> property = properties.next();
          object.set(property.getKey(), filled(property.getValue(), text));
        }
        return object;
    }
  }

  /** A schema's type: the first that is not null when it lists several, object when none. */
  private static String typeOf(JsonNode type) {
    if (type.isArray()) {
      for (JsonNode option : type) {
        if (!"null".equals(option.asText())) {
          return option.asText();
        }
      }
      return "null";
    }
    return type.asText("object");
  }

  /** The text's words, each with the space before it: tokens that add up to the text. */
  static List<String> tokens(String text) {
    List<String> tokens = new ArrayList<>();
    int start = 0;
    for (int i = 1; i <= text.length(); i++) {
      if (i == text.length() || text.charAt(i) == ' ') {
        tokens.add(text.substring(start, i));
        start = i;
      }
    }
    return tokens;
  }

  private static ArrayNode bytes(String token) {
    ArrayNode bytes = NODES.arrayNode();
    for (byte b : token.getBytes(StandardCharsets.UTF_8)) {
      bytes.add(b & 0xff);
    }
    return bytes;
  }
}

package dev.sluice.tools.standins;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.util.Map;

/**
 * The request and response shapes of one provider API, as the real service uses them: where the key
 * goes, what a request must carry, and how answers and errors look.
 */
enum WireFormat {
  /** OpenAI chat completions: {@code Authorization: Bearer <key>}. */
  OPENAI {
    @Override
    String presentedKey(Context ctx) {
      return bearer(ctx.header("Authorization"));
    }

    @Override
    Refusal check(Context ctx, JsonNode body) {
      return body.path("model").isTextual()
          ? null
          : new Refusal(400, invalid("you must provide a model parameter"));
    }

    @Override
    String model(Context ctx, JsonNode body) {
      return body.path("model").asText();
    }

    @Override
    ObjectNode answer(String id, String model, String text, int promptTokens, int answerTokens) {
      return chatCompletion(id, model, text, promptTokens, answerTokens);
    }

    @Override
    ObjectNode unauthorized() {
      ObjectNode error = NODES.objectNode();
      error.put("message", "Incorrect API key provided.");
      error.put("type", "invalid_request_error");
      error.putNull("param");
      error.put("code", "invalid_api_key");
      return wrap(error);
    }

    @Override
    ObjectNode invalid(String message) {
      return openAiInvalid(message);
    }

    @Override
    String requestIdHeader() {
      return "x-request-id";
    }
  },

  /**
   * Azure OpenAI: the deployment is in the path, {@code api-version} in the query, the key in the
   * {@code api-key} header; answers have OpenAI's shape.
   */
  AZURE_OPENAI {
    @Override
    String presentedKey(Context ctx) {
      return ctx.header("api-key");
    }

    @Override
    Refusal check(Context ctx, JsonNode body) {
      if (ctx.queryParam("api-version") == null) {
        // What Azure answers when the API version is missing.
        ObjectNode error = NODES.objectNode();
        error.put("code", "404");
        error.put("message", "Resource not found");
        return new Refusal(404, wrap(error));
      }
      return null;
    }

    @Override
    String model(Context ctx, JsonNode body) {
      return ctx.pathParam("deployment");
    }

    @Override
    ObjectNode answer(String id, String model, String text, int promptTokens, int answerTokens) {
      return chatCompletion(id, model, text, promptTokens, answerTokens);
    }

    @Override
    ObjectNode unauthorized() {
      ObjectNode error = NODES.objectNode();
      error.put("code", "401");
      error.put(
          "message",
          "Access denied due to invalid subscription key or wrong API endpoint. Make sure to"
              + " provide a valid key for an active subscription and use a correct regional API"
              + " endpoint for your resource.");
      return wrap(error);
    }

    @Override
    ObjectNode invalid(String message) {
      return openAiInvalid(message);
    }

    @Override
    String requestIdHeader() {
      return "apim-request-id";
    }
  },

  /**
   * Anthropic Messages: {@code x-api-key} and {@code anthropic-version} headers; {@code model} and
   * {@code max_tokens} are required.
   */
  ANTHROPIC {
    @Override
    String presentedKey(Context ctx) {
      return ctx.header("x-api-key");
    }

    @Override
    Refusal check(Context ctx, JsonNode body) {
      if (ctx.header("anthropic-version") == null) {
        return new Refusal(400, invalid("anthropic-version: header is required"));
      }
      if (!body.path("model").isTextual()) {
        return new Refusal(400, invalid("model: Field required"));
      }
      if (!body.path("max_tokens").isIntegralNumber()) {
        return new Refusal(400, invalid("max_tokens: Field required"));
      }
      return null;
    }

    @Override
    String model(Context ctx, JsonNode body) {
      return body.path("model").asText();
    }

    @Override
    ObjectNode answer(String id, String model, String text, int promptTokens, int answerTokens) {
      ObjectNode answer = NODES.objectNode();
      answer.put("id", "msg_standin_" + id);
      answer.put("type", "message");
      answer.put("role", "assistant");
      answer.put("model", model);
      ObjectNode block = answer.putArray("content").addObject();
      block.put("type", "text");
      block.put("text", text);
      answer.put("stop_reason", "end_turn");
      answer.putNull("stop_sequence");
      ObjectNode usage = answer.putObject("usage");
      usage.put("input_tokens", promptTokens);
      usage.put("output_tokens", answerTokens);
      return answer;
    }

    @Override
    ObjectNode unauthorized() {
      return anthropicError("authentication_error", "invalid x-api-key");
    }

    @Override
    ObjectNode invalid(String message) {
      return anthropicError("invalid_request_error", message);
    }

    @Override
    String requestIdHeader() {
      return "request-id";
    }
  };

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /** An answer other than 200, in the provider's own error shape, with its headers. */
  record Refusal(int status, ObjectNode body, Map<String, String> headers) {
    Refusal(int status, ObjectNode body) {
      this(status, body, Map.of());
    }
  }

  /** Whether answers are chat completions, which {@link OpenAiFeatures} shapes. */
  boolean openAiShaped() {
    return this != ANTHROPIC;
  }

  /** The key the caller presented, or null. */
  abstract String presentedKey(Context ctx);

  /** What the provider refuses before looking at the messages, or null. */
  abstract Refusal check(Context ctx, JsonNode body);

  /** The model the answer names. */
  abstract String model(Context ctx, JsonNode body);

  abstract ObjectNode answer(
      String id, String model, String text, int promptTokens, int answerTokens);

  /** The body of a 401 for a missing or wrong key. */
  abstract ObjectNode unauthorized();

  /** The body of a 400. */
  abstract ObjectNode invalid(String message);

  abstract String requestIdHeader();

  /**
   * The text of the last user message: a string, or the text parts of a content array (both APIs
   * allow either); null when there is none.
   */
  static String lastUserText(JsonNode body) {
    JsonNode messages = body.path("messages");
    for (int i = messages.size() - 1; i >= 0; i--) {
      JsonNode message = messages.get(i);
      if (!"user".equals(message.path("role").asText())) {
        continue;
      }
      JsonNode content = message.path("content");
      if (content.isTextual()) {
        return content.textValue();
      }
      if (content.isArray()) {
        StringBuilder text = new StringBuilder();
        for (JsonNode part : content) {
          if ("text".equals(part.path("type").asText()) && part.path("text").isTextual()) {
            text.append(part.get("text").textValue());
          }
        }
        return text.toString();
      }
    }
    return null;
  }

  private static String bearer(String header) {
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    return header.substring(7).trim();
  }

  private static ObjectNode chatCompletion(
      String id, String model, String text, int promptTokens, int answerTokens) {
    ObjectNode answer = NODES.objectNode();
    answer.put("id", "chatcmpl-standin-" + id);
    answer.put("object", "chat.completion");
    answer.put("created", System.currentTimeMillis() / 1000);
    answer.put("model", model);
    ObjectNode choice = answer.putArray("choices").addObject();
    choice.put("index", 0);
    ObjectNode message = choice.putObject("message");
    message.put("role", "assistant");
    message.put("content", text);
    choice.putNull("logprobs");
    choice.put("finish_reason", "stop");
    ObjectNode usage = answer.putObject("usage");
    usage.put("prompt_tokens", promptTokens);
    usage.put("completion_tokens", answerTokens);
    usage.put("total_tokens", promptTokens + answerTokens);
    return answer;
  }

  private static ObjectNode openAiInvalid(String message) {
    ObjectNode error = NODES.objectNode();
    error.put("message", message);
    error.put("type", "invalid_request_error");
    error.putNull("param");
    error.putNull("code");
    return wrap(error);
  }

  private static ObjectNode anthropicError(String type, String message) {
    ObjectNode body = NODES.objectNode();
    body.put("type", "error");
    ObjectNode error = body.putObject("error");
    error.put("type", type);
    error.put("message", message);
    return body;
  }

  private static ObjectNode wrap(ObjectNode error) {
    ObjectNode body = NODES.objectNode();
    body.set("error", error);
    return body;
  }
}

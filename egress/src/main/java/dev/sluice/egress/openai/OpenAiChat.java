package dev.sluice.egress.openai;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.egress.ProviderAnswer;
import dev.sluice.egress.ProviderCall;
import dev.sluice.egress.ProviderException;
import dev.sluice.egress.ProviderException.Kind;
import dev.sluice.schemas.Json;
import dev.sluice.schemas.chat.ChatMessage;
import dev.sluice.schemas.chat.ChatRequest;
import dev.sluice.schemas.chat.FunctionCall;
import dev.sluice.schemas.chat.ToolCall;
import dev.sluice.schemas.reply.Usage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The chat-completions wire format, shared by OpenAI-compatible servers and Azure OpenAI: the
 * request body, the answer, and the error body's tokens.
 */
public final class OpenAiChat {
  private OpenAiChat() {}

  /**
   * The JSON body for a call.
   *
   * @param withModel whether to name the model in the body; Azure takes it from the path instead
   */
  public static byte[] body(ProviderCall call, boolean withModel) {
    ChatRequest request = call.request();
    Map<String, Object> body = new LinkedHashMap<>();
    if (withModel) {
      body.put("model", call.model());
    }
    body.put("messages", request.messages());
    // Under the name the caller used: reasoning models refuse max_tokens.
    putIfPresent(body, request.options().capField().field(), request.maxTokens());
    putIfPresent(body, "temperature", request.temperature());
    putIfPresent(body, "top_p", request.topP());
    putIfPresent(body, "stop", request.stop());
    putIfPresent(body, "user", request.user());
    // Tools pass through in OpenAI's own shape; the messages carry tool_calls and tool_call_id.
    putIfPresent(body, "tools", request.tools());
    putIfPresent(body, "tool_choice", request.toolChoice());
    putIfPresent(body, "parallel_tool_calls", request.parallelToolCalls());
    // JSON mode, seeds, logprobs and the rest as the caller sent them; unknown fields are here
    // only if the tenant's policy passes them through (the validation stage refuses them else).
    body.putAll(request.options().fields());
    try {
      return Json.mapper().writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new ProviderException(Kind.ERROR, "the request could not be encoded");
    }
  }

  private static void putIfPresent(Map<String, Object> body, String field, Object value) {
    if (value != null) {
      body.put(field, value);
    }
  }

  /**
   * The answer in a chat-completion body.
   *
   * @param provider the provider name the answer is reported under
   * @throws ProviderException when the body is not a chat completion
   */
  public static ProviderAnswer answer(String provider, ProviderCall call, String body) {
    JsonNode root;
    try {
      root = Json.mapper().readTree(body);
    } catch (IOException e) {
      throw malformed();
    }
    if (root == null) {
      throw malformed();
    }
    JsonNode choice = root.path("choices").path(0);
    JsonNode message = choice.path("message");
    JsonNode content = message.path("content");
    if (!choice.isObject()
        || !(content.isTextual() || content.isNull() || content.isMissingNode())) {
      throw malformed();
    }
    List<ToolCall> toolCalls = toolCalls(message.path("tool_calls"));
    String refusal = OpenAiAnswerFields.refusal(message);
    // No content, no tool call and no refusal (a filtered answer) still reads as an empty text.
    String text =
        content.isTextual()
            ? content.textValue()
            : toolCalls.isEmpty() && refusal == null ? "" : null;
    String finish =
        choice.path("finish_reason").isTextual() ? choice.get("finish_reason").textValue() : "stop";
    String model = root.path("model").isTextual() ? root.get("model").textValue() : call.model();
    JsonNode usage = root.path("usage");
    Usage tokens =
        Usage.of(usage.path("prompt_tokens").asInt(0), usage.path("completion_tokens").asInt(0))
            .withDetails(
                tokenDetails(usage.path("prompt_tokens_details")),
                tokenDetails(usage.path("completion_tokens_details")));
    return new ProviderAnswer(
        provider,
        model,
        ChatMessage.assistant(text, toolCalls)
            .withAnswerNotes(refusal, OpenAiAnswerFields.annotations(message)),
        finish,
        tokens,
        shortText(root.path("id")),
        shortText(root.path("system_fingerprint")),
        shortText(root.path("service_tier")),
        OpenAiAnswerFields.logprobs(choice));
  }

  /** Longest id, fingerprint or tier kept from an answer; anything longer is not one. */
  static final int MAX_ANSWER_FIELD_CHARS = 256;

  /** Token breakdowns kept at most, and the longest name of one. */
  static final int MAX_TOKEN_DETAILS = 16;

  static final int MAX_TOKEN_DETAIL_CHARS = 64;

  /** A short string field of an answer, or null when it is absent or not a short string. */
  public static String shortText(JsonNode node) {
    return node.isTextual() && node.textValue().length() <= MAX_ANSWER_FIELD_CHARS
        ? node.textValue()
        : null;
  }

  /**
   * A {@code *_tokens_details} object as the provider sent it: its non-negative integer counts, at
   * most {@link #MAX_TOKEN_DETAILS}; null when there is none.
   */
  public static Map<String, Integer> tokenDetails(JsonNode node) {
    if (!node.isObject() || node.isEmpty()) {
      return null;
    }
    Map<String, Integer> details = new LinkedHashMap<>();
    Iterator<Map.Entry<String, JsonNode>> counts = node.fields();
    while (counts.hasNext() && details.size() < MAX_TOKEN_DETAILS) {
      Map.Entry<String, JsonNode> count = counts.next();
      JsonNode value = count.getValue();
      if (count.getKey().length() <= MAX_TOKEN_DETAIL_CHARS
          && value.isIntegralNumber()
          && value.canConvertToInt()
          && value.intValue() >= 0) {
        details.put(count.getKey(), value.intValue());
      }
    }
    return details.isEmpty() ? null : details;
  }

  private static List<ToolCall> toolCalls(JsonNode calls) {
    if (calls.isMissingNode() || calls.isNull()) {
      return List.of();
    }
    if (!calls.isArray()) {
      throw malformed();
    }
    List<ToolCall> parsed = new ArrayList<>();
    for (JsonNode call : calls) {
      JsonNode id = call.path("id");
      JsonNode name = call.path("function").path("name");
      JsonNode arguments = call.path("function").path("arguments");
      if (!id.isTextual() || !name.isTextual() || !arguments.isTextual()) {
        throw malformed();
      }
      String type =
          call.path("type").isTextual() ? call.get("type").textValue() : ToolCall.FUNCTION;
      parsed.add(
          new ToolCall(
              id.textValue(), type, new FunctionCall(name.textValue(), arguments.textValue())));
    }
    return parsed;
  }

  /** {@code error.code}, {@code error.type}, then Azure's {@code error.innererror.code}. */
  public static List<String> errorTokens(JsonNode errorBody) {
    JsonNode error = errorBody.path("error");
    List<String> tokens = new ArrayList<>();
    for (JsonNode token :
        List.of(error.path("code"), error.path("type"), error.path("innererror").path("code"))) {
      if (token.isTextual()) {
        tokens.add(token.textValue());
      }
    }
    return tokens;
  }

  static ProviderException malformed() {
    return new ProviderException(Kind.ERROR, "the provider's answer was not valid");
  }
}

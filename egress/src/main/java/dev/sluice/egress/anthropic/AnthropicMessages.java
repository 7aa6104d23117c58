package dev.sluice.egress.anthropic;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.egress.ProviderAnswer;
import dev.sluice.egress.ProviderCall;
import dev.sluice.egress.ProviderException;
import dev.sluice.egress.ProviderException.Kind;
import dev.sluice.egress.openai.OpenAiChat;
import dev.sluice.schemas.Json;
import dev.sluice.schemas.chat.ChatMessage;
import dev.sluice.schemas.chat.ChatRequest;
import dev.sluice.schemas.chat.ContentPart;
import dev.sluice.schemas.chat.FunctionDefinition;
import dev.sluice.schemas.chat.Tool;
import dev.sluice.schemas.chat.ToolCall;
import dev.sluice.schemas.chat.ToolChoice;
import dev.sluice.schemas.reply.Usage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Messages wire format, translated from and to the OpenAI shape the gateway speaks. Pure
 * functions: the provider and the tests call them alike.
 *
 * <ul>
 *   <li>{@code system} and {@code developer} messages become the top-level {@code system}, joined
 *       with blank lines in order.
 *   <li>Consecutive messages of one role are merged, since Anthropic wants user and assistant to
 *       alternate; a {@code tool} message becomes a {@code tool_result} block of a user message.
 *   <li>{@code temperature} is clamped to Anthropic's range 0 to 1: an OpenAI caller's 1.5 asks for
 *       the most varied answers, which 1 gives, and a refusal would break fallbacks between
 *       providers.
 *   <li>{@code tool_choice} goes out only with tools, as OpenAI also requires.
 * </ul>
 */
final class AnthropicMessages {
  private AnthropicMessages() {}

  private static final ObjectMapper MAPPER = Json.mapper();

  /**
   * Fields a passed-through unknown field may never be: those this adapter writes from the
   * request's own fields, whether or not this request has them ({@code system} would reach the
   * model past the firewall, the redactor and the spotlighted context), and Anthropic's that would
   * bring the model text no guardrail saw ({@code mcp_servers}, {@code container}).
   */
  static final Set<String> WRITTEN_HERE =
      Set.of(
          "model",
          "max_tokens",
          "system",
          "messages",
          "temperature",
          "top_p",
          "stop_sequences",
          "metadata",
          "tools",
          "tool_choice",
          "mcp_servers",
          "container");

  static byte[] body(ProviderCall call, int defaultMaxTokens) {
    ChatRequest request = call.request();
    String unsupported = AnthropicFields.unsupportedField(request);
    if (unsupported != null) {
      // Reached as a fallback: the validation stage refuses it for a request to Anthropic itself.
      throw new ProviderException(
          "the field " + unsupported + " has no counterpart at Anthropic",
          new ProviderException.Upstream(
              AnthropicSettings.NAME, 400, "unsupported_parameter", unsupported));
    }
    ObjectNode body = MAPPER.createObjectNode();
    body.put("model", call.model());
    body.put("max_tokens", request.maxTokens() != null ? request.maxTokens() : defaultMaxTokens);
    List<String> system = new ArrayList<>();
    ArrayNode messages = MAPPER.createArrayNode();
    String lastRole = null;
    ArrayNode lastContent = null;
    for (ChatMessage message : request.messages()) {
      String role;
      ArrayNode blocks = MAPPER.createArrayNode();
      switch (message.role()) {
        case "system":
        case "developer":
          if (!message.text().isEmpty()) {
            system.add(message.text());
          }
          continue;
        case "user":
          role = "user";
          addText(blocks, message);
          break;
        case "assistant":
          role = "assistant";
          addText(blocks, message);
          for (ToolCall toolCall : message.toolCalls()) {
            blocks.add(toolUse(toolCall));
          }
          break;
        case "tool":
          role = "user";
          blocks.add(toolResult(message));
          break;
        default:
          throw refused("a message role Anthropic does not take");
      }
      if (role.equals(lastRole)) {
        lastContent.addAll(blocks);
      } else {
        ObjectNode next = messages.addObject();
        next.put("role", role);
        lastContent = next.putArray("content");
        lastContent.addAll(blocks);
        lastRole = role;
      }
    }
    if (!system.isEmpty()) {
      body.put("system", String.join("\n\n", system));
    }
    body.set("messages", messages);
    if (request.temperature() != null) {
      body.put("temperature", Math.max(0.0, Math.min(1.0, request.temperature())));
    }
    if (request.topP() != null) {
      body.put("top_p", request.topP());
    }
    if (request.stop() != null && !request.stop().isEmpty()) {
      ArrayNode stops = body.putArray("stop_sequences");
      request.stop().forEach(stops::add);
    }
    // Both name the end user for abuse monitoring, as Anthropic's user_id does; OpenAI's newer
    // safety_identifier wins when a caller sends the two.
    String endUser =
        request.options().safetyIdentifier() != null
            ? request.options().safetyIdentifier()
            : request.user();
    if (endUser != null) {
      body.putObject("metadata").put("user_id", endUser);
    }
    ObjectNode answerTool = AnswerTool.of(request);
    if (answerTool != null) {
      // JSON mode as Anthropic documents it: one tool whose input schema is the answer's, forced.
      body.putArray("tools").add(answerTool);
      body.putObject("tool_choice")
          .put("type", "tool")
          .put("name", answerTool.get("name").textValue());
    }
    if (answerTool == null && request.tools() != null && !request.tools().isEmpty()) {
      ArrayNode tools = body.putArray("tools");
      for (Tool tool : request.tools()) {
        tools.add(tool(tool));
      }
      ObjectNode choice = toolChoice(request.toolChoice(), request.parallelToolCalls());
      if (choice != null) {
        body.set("tool_choice", choice);
      }
    }
    // OpenAI's options are refused for Anthropic models by the validation stage; fields outside
    // OpenAI's API reach here only when the tenant's policy passes them through, as they are, and
    // never in place of one written above (a passed-through "system" must not replace the
    // spotlighted context).
    for (Map.Entry<String, JsonNode> field : request.options().unknownFields().entrySet()) {
      if (WRITTEN_HERE.contains(field.getKey())) {
        // Refused, not dropped: the caller asked for it, and the gateway will not let it in.
        throw new ProviderException(
            "the field " + field.getKey() + " cannot be passed through to Anthropic",
            new ProviderException.Upstream(
                AnthropicSettings.NAME, 400, "unsupported_parameter", field.getKey()));
      }
      body.set(field.getKey(), field.getValue().deepCopy());
    }
    try {
      return MAPPER.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new ProviderException(Kind.ERROR, "the request could not be encoded");
    }
  }

  private static void addText(ArrayNode blocks, ChatMessage message) {
    for (ContentPart part : message.content()) {
      // Anthropic refuses empty text blocks; an assistant message that only calls tools has none.
      if (!part.text().isEmpty()) {
        blocks.addObject().put("type", "text").put("text", part.text());
      }
    }
  }

  private static ObjectNode toolUse(ToolCall toolCall) {
    String arguments = toolCall.function().arguments();
    JsonNode input;
    try {
      input = arguments.isBlank() ? MAPPER.createObjectNode() : MAPPER.readTree(arguments);
    } catch (IOException e) {
      input = null;
    }
    if (input == null || !input.isObject()) {
      // Anthropic takes the input as an object; a string it cannot parse would be a 400 anyway.
      throw refused("the arguments of a tool call are not a JSON object");
    }
    ObjectNode block = MAPPER.createObjectNode();
    block.put("type", "tool_use");
    block.put("id", toolCall.id());
    block.put("name", toolCall.function().name());
    block.set("input", input);
    return block;
  }

  private static ObjectNode toolResult(ChatMessage message) {
    if (message.toolCallId() == null) {
      throw refused("a tool message names no tool call");
    }
    ObjectNode block = MAPPER.createObjectNode();
    block.put("type", "tool_result");
    block.put("tool_use_id", message.toolCallId());
    if (!message.text().isEmpty()) {
      block.put("content", message.text());
    }
    return block;
  }

  private static ObjectNode tool(Tool tool) {
    FunctionDefinition function = tool.function();
    ObjectNode node = MAPPER.createObjectNode();
    node.put("name", function.name());
    if (function.description() != null) {
      node.put("description", function.description());
    }
    if (function.parameters() != null && function.parameters().isObject()) {
      node.set("input_schema", function.parameters());
    } else {
      // OpenAI lets a function take no parameters; Anthropic requires a schema.
      node.putObject("input_schema").put("type", "object");
    }
    return node;
  }

  private static ObjectNode toolChoice(ToolChoice choice, Boolean parallelToolCalls) {
    boolean serial = Boolean.FALSE.equals(parallelToolCalls);
    if (choice == null && !serial) {
      return null;
    }
    String mode = choice == null ? ToolChoice.AUTO : choice.mode();
    ObjectNode node = MAPPER.createObjectNode();
    switch (mode) {
      case ToolChoice.NONE:
        // Anthropic's "none" takes no other field: no tool is called at all.
        return node.put("type", "none");
      case ToolChoice.REQUIRED:
        node.put("type", "any");
        break;
      case ToolChoice.FUNCTION:
        node.put("type", "tool").put("name", choice.functionName());
        break;
      default:
        node.put("type", "auto");
    }
    if (serial) {
      node.put("disable_parallel_tool_use", true);
    }
    return node;
  }

  static ProviderAnswer answer(ProviderCall call, String body) {
    JsonNode root;
    try {
      root = MAPPER.readTree(body);
    } catch (IOException e) {
      throw malformed();
    }
    if (root == null || !root.path("content").isArray()) {
      throw malformed();
    }
    String answerTool = AnswerTool.nameFor(call.request());
    StringBuilder text = new StringBuilder();
    boolean hasText = false;
    List<ToolCall> toolCalls = new ArrayList<>();
    for (JsonNode block : root.get("content")) {
      if (answerTool != null && "tool_use".equals(block.path("type").asText(""))) {
        // The forced answer tool's input is the JSON answer; text beside it is the model's
        // preamble, which a JSON answer has none of.
        if (answerTool.equals(block.path("name").asText(""))) {
          return jsonAnswer(call, root, block.path("input"));
        }
        continue;
      }
      String type = block.path("type").asText("");
      if ("text".equals(type)) {
        if (!block.path("text").isTextual()) {
          throw malformed();
        }
        text.append(block.get("text").textValue());
        hasText = true;
      } else if ("tool_use".equals(type)) {
        toolCalls.add(toolCall(block));
      }
      // Other blocks (thinking, server tools) have no OpenAI counterpart and are left out.
    }
    return answerOf(
        call,
        root,
        ChatMessage.assistant(hasText || toolCalls.isEmpty() ? text.toString() : null, toolCalls),
        finishReason(root.path("stop_reason").asText("")));
  }

  /**
   * The answer with {@code message} and {@code finish}, and the model, usage and id of {@code
   * root}.
   */
  private static ProviderAnswer answerOf(
      ProviderCall call, JsonNode root, ChatMessage message, String finish) {
    String model = root.path("model").isTextual() ? root.get("model").textValue() : call.model();
    JsonNode usage = root.path("usage");
    int prompt =
        usage.path("input_tokens").asInt(0)
            + usage.path("cache_creation_input_tokens").asInt(0)
            + usage.path("cache_read_input_tokens").asInt(0);
    // Cache reads are OpenAI's cached_tokens: prompt tokens served from the provider's cache.
    JsonNode cacheRead = usage.path("cache_read_input_tokens");
    Map<String, Integer> promptDetails =
        cacheRead.canConvertToInt() && cacheRead.intValue() > 0
            ? Map.of("cached_tokens", cacheRead.intValue())
            : null;
    return new ProviderAnswer(
        AnthropicSettings.NAME,
        model,
        message,
        finish,
        Usage.of(prompt, usage.path("output_tokens").asInt(0)).withDetails(promptDetails, null),
        OpenAiChat.shortText(root.path("id")),
        null,
        null);
  }

  /** The answer a forced answer tool gave: its input as the message's JSON text. */
  private static ProviderAnswer jsonAnswer(ProviderCall call, JsonNode root, JsonNode input) {
    if (!input.isObject()) {
      throw malformed();
    }
    String json;
    try {
      json = MAPPER.writeValueAsString(input);
    } catch (JsonProcessingException e) {
      throw malformed();
    }
    // The forced tool stops as tool_use; to the caller it is an answer that ended as asked.
    String finish = finishReason(root.path("stop_reason").asText(""));
    return answerOf(
        call,
        root,
        ChatMessage.assistant(json, List.of()),
        finish.equals("tool_calls") ? "stop" : finish);
  }

  private static ToolCall toolCall(JsonNode block) {
    JsonNode id = block.path("id");
    JsonNode name = block.path("name");
    if (!id.isTextual() || !name.isTextual()) {
      throw malformed();
    }
    JsonNode input = block.path("input");
    String arguments;
    try {
      arguments = MAPPER.writeValueAsString(input.isObject() ? input : MAPPER.createObjectNode());
    } catch (JsonProcessingException e) {
      throw malformed();
    }
    return ToolCall.function(id.textValue(), name.textValue(), arguments);
  }

  /** Anthropic's stop reasons in OpenAI's words. */
  static String finishReason(String stopReason) {
    switch (stopReason) {
      case "max_tokens":
      case "model_context_window_exceeded":
        return "length";
      case "tool_use":
        return "tool_calls";
      case "refusal":
        return "content_filter";
      default:
        // end_turn, stop_sequence, pause_turn
        return "stop";
    }
  }

  /** Only {@code error.type}: Anthropic's {@code message} may quote the request. */
  static List<String> errorTokens(JsonNode errorBody) {
    JsonNode type = errorBody.path("error").path("type");
    return type.isTextual() ? List.of(type.textValue()) : List.of();
  }

  private static ProviderException malformed() {
    return new ProviderException(Kind.ERROR, "the provider's answer was not valid");
  }

  private static ProviderException refused(String why) {
    return new ProviderException(Kind.REFUSED, "the request cannot be sent to Anthropic: " + why);
  }
}

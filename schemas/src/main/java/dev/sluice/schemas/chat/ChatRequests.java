package dev.sluice.schemas.chat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.schemas.Json;
import dev.sluice.schemas.chat.CompletionOptions.CapField;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a chat request from JSON and checks its shape: types, required fields and the OpenAI
 * features the gateway does not offer yet. Every field of OpenAI's Chat Completions API is read
 * (the options through {@link CompletionOptionsReader}) or refused by name; what is not part of the
 * API is kept as an unknown field, for the validation stage to refuse or pass as policy says. Both
 * the ingress (to answer at once) and the pipeline (for envelopes produced straight to a topic) use
 * it, so every entry point refuses the same things, and tool calling is checked here too. Limits
 * such as caps and allowlists are the pipeline's validation stage, not this.
 */
public final class ChatRequests {
  private ChatRequests() {}

  /** The body, or the object under {@code "req"} when the caller used the wrapper form. */
  public static JsonNode unwrap(JsonNode body) {
    if (body != null && body.isObject() && body.size() == 1 && body.path("req").isObject()) {
      return body.get("req");
    }
    return body;
  }

  public static ChatRequest parse(JsonNode body) throws InvalidChatRequest {
    JsonNode root = unwrap(body);
    if (root == null || !root.isObject()) {
      throw invalid(null, "the request body must be a JSON object");
    }
    String model = requiredString(root, "model");
    if (model.length() > MAX_MODEL_CHARS) {
      throw invalid("model", "model may have at most " + MAX_MODEL_CHARS + " characters");
    }

    JsonNode stream = root.get("stream");
    if (stream != null && !stream.isNull()) {
      if (!stream.isBoolean()) {
        throw invalid("stream", "stream must be a boolean");
      }
      if (stream.booleanValue()) {
        throw new InvalidChatRequest(
            "stream_unsupported", "stream", "streaming responses are not supported yet");
      }
    }
    JsonNode n = root.get("n");
    if (n != null && !n.isNull()) {
      if (!n.isIntegralNumber() || !n.canConvertToInt() || n.intValue() < 1) {
        throw invalid("n", "n must be a positive integer");
      }
      if (n.intValue() > 1) {
        throw invalid("n", "only n = 1 is supported");
      }
    }

    JsonNode messagesNode = root.get("messages");
    if (messagesNode == null || !messagesNode.isArray()) {
      throw invalid("messages", "messages must be an array");
    }
    List<ChatMessage> messages = new ArrayList<>(messagesNode.size());
    for (int i = 0; i < messagesNode.size(); i++) {
      messages.add(message(messagesNode.get(i), i));
    }

    // OpenAI's newer name wins; both are checked so a malformed one never slips through.
    Integer maxCompletionTokens = optionalPositiveInt(root, "max_completion_tokens");
    Integer legacyMaxTokens = optionalPositiveInt(root, "max_tokens");
    Integer maxTokens = maxCompletionTokens != null ? maxCompletionTokens : legacyMaxTokens;
    CapField capField =
        maxCompletionTokens != null ? CapField.MAX_COMPLETION_TOKENS : CapField.MAX_TOKENS;
    Double temperature = optionalNumber(root, "temperature", 0, 2);
    Double topP = optionalNumber(root, "top_p", 0, 1);
    List<String> stop = stop(root.get("stop"));
    String user = boundedString(root, "user", MAX_USER_CHARS);
    RagContext context = context(root.get("context"));
    List<Tool> tools = tools(root.get("tools"));
    ToolChoice toolChoice = toolChoice(root.get("tool_choice"));
    if (toolChoice != null && toolChoice.functionName() != null) {
      boolean offered =
          tools != null
              && tools.stream()
                  .anyMatch(t -> t.function().name().equals(toolChoice.functionName()));
      if (!offered) {
        throw invalid("tool_choice", "tool_choice names a function that tools does not offer");
      }
    }
    Boolean parallelToolCalls = optionalBoolean(root, "parallel_tool_calls");
    CompletionOptions options = CompletionOptionsReader.read(root, capField);
    return new ChatRequest(
        model,
        messages,
        maxTokens,
        temperature,
        topP,
        stop,
        user,
        context,
        tools,
        toolChoice,
        parallelToolCalls,
        options);
  }

  /*
   * Bounds on the strings a request carries besides its text, so that none of them can smuggle a
   * payload past the caps or bloat an audit record. Text, tool definitions and context chunks count
   * against the configured caps in the pipeline's validation stage instead.
   */

  /** OpenAI's limit on the tools one request may offer. */
  static final int MAX_TOOLS = 128;

  /** OpenAI's limit on stop sequences. */
  static final int MAX_STOP_SEQUENCES = 4;

  /** Longest stop sequence, in characters. */
  static final int MAX_STOP_CHARS = 256;

  /** OpenAI's limit on a participant's {@code name}. */
  static final int MAX_NAME_CHARS = 64;

  /** Longest {@code user} (the caller's own id for its end user); it is passed to the provider. */
  static final int MAX_USER_CHARS = 256;

  /** Longest model name: it is recorded with every decision, refused ones included. */
  static final int MAX_MODEL_CHARS = 256;

  /** Longest id of a tool call ({@code id}, {@code tool_call_id}) or of a context chunk. */
  public static final int MAX_ID_CHARS = 256;

  /** Longest {@code source} of a context or a chunk (a knowledge-base name or a URL). */
  public static final int MAX_SOURCE_CHARS = 2048;

  private static final Pattern FUNCTION_NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  private static List<Tool> tools(JsonNode node) throws InvalidChatRequest {
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isArray()) {
      throw invalid("tools", "tools must be an array");
    }
    if (node.size() > MAX_TOOLS) {
      throw invalid("tools", "at most " + MAX_TOOLS + " tools may be offered");
    }
    List<Tool> tools = new ArrayList<>(node.size());
    for (int i = 0; i < node.size(); i++) {
      String at = "tools[" + i + "]";
      JsonNode tool = node.get(i);
      if (!tool.isObject() || !ToolCall.FUNCTION.equals(tool.path("type").textValue())) {
        throw invalid(at + ".type", "each tool must be an object of type function");
      }
      JsonNode function = tool.get("function");
      if (function == null || !function.isObject()) {
        throw invalid(at + ".function", "a function tool needs a function object");
      }
      String name = functionName(function, at + ".function");
      String description = optionalString(function, "description", at + ".function");
      JsonNode parameters = function.get("parameters");
      if (parameters != null && parameters.isNull()) {
        parameters = null;
      }
      if (parameters != null && !parameters.isObject()) {
        throw invalid(at + ".function.parameters", "parameters must be a JSON Schema object");
      }
      Boolean strict = optionalBoolean(function, "strict", at + ".function");
      tools.add(Tool.function(new FunctionDefinition(name, description, parameters, strict)));
    }
    return tools;
  }

  static ToolChoice toolChoice(JsonNode node) throws InvalidChatRequest {
    if (node == null || node.isNull()) {
      return null;
    }
    if (node.isTextual() && ToolChoice.MODES.contains(node.textValue())) {
      return ToolChoice.of(node.textValue());
    }
    if (node.isObject() && ToolChoice.FUNCTION.equals(node.path("type").textValue())) {
      JsonNode function = node.get("function");
      if (function != null && function.isObject()) {
        return ToolChoice.function(functionName(function, "tool_choice.function"));
      }
    }
    throw invalid(
        "tool_choice",
        "tool_choice must be none, auto, required or {\"type\":\"function\",\"function\":{\"name\":...}}");
  }

  private static String functionName(JsonNode function, String at) throws InvalidChatRequest {
    JsonNode name = function.get("name");
    if (name == null || !name.isTextual() || !FUNCTION_NAME.matcher(name.textValue()).matches()) {
      throw invalid(at + ".name", "a function name is 1 to 64 letters, digits, _ or -");
    }
    return name.textValue();
  }

  private static List<ToolCall> toolCalls(JsonNode node, String at) throws InvalidChatRequest {
    if (!node.isArray()) {
      throw invalid(at, "tool_calls must be an array");
    }
    List<ToolCall> calls = new ArrayList<>(node.size());
    for (int i = 0; i < node.size(); i++) {
      String callAt = at + "[" + i + "]";
      JsonNode call = node.get(i);
      if (!call.isObject() || !ToolCall.FUNCTION.equals(call.path("type").textValue())) {
        throw invalid(callAt + ".type", "each tool call must be an object of type function");
      }
      JsonNode id = call.get("id");
      if (id == null || !id.isTextual() || id.textValue().isEmpty()) {
        throw invalid(callAt + ".id", "a tool call needs a string id");
      }
      if (id.textValue().length() > MAX_ID_CHARS) {
        throw invalid(
            callAt + ".id", "a tool call id may have at most " + MAX_ID_CHARS + " characters");
      }
      JsonNode function = call.get("function");
      if (function == null || !function.isObject()) {
        throw invalid(callAt + ".function", "a tool call needs a function object");
      }
      String name = functionName(function, callAt + ".function");
      JsonNode arguments = function.get("arguments");
      if (arguments == null || !arguments.isTextual()) {
        throw invalid(callAt + ".function.arguments", "arguments must be a string of JSON");
      }
      calls.add(ToolCall.function(id.textValue(), name, arguments.textValue()));
    }
    return calls;
  }

  static ChatMessage message(JsonNode node, int index) throws InvalidChatRequest {
    return message(node, index, false);
  }

  /**
   * A message of an answer (a reply's choice, read back from the reply topic): a request's message
   * plus the assistant's {@code refusal} and {@code annotations}, and content that may be null when
   * the model refused.
   */
  static ChatMessage answerMessage(JsonNode node) throws InvalidChatRequest {
    return message(node, 0, true);
  }

  /**
   * A request message's fields besides role, content, name, tool_calls and tool_call_id: what
   * OpenAI's message types also have, and what the gateway does with each.
   */
  private static final Set<String> MESSAGE_FIELDS =
      Set.of(
          "role",
          "content",
          "name",
          "tool_calls",
          "tool_call_id",
          // An assistant's earlier refusal, as the SDKs echo an answer back into the history: the
          // text the model said, so it goes on as the message's content.
          "refusal",
          // An answer's url citations, echoed back the same way: notes on the text for the caller,
          // nothing the model reads; left out.
          "annotations",
          // Refused unless null: audio the gateway cannot redact, the deprecated function call.
          "audio",
          "function_call");

  private static ChatMessage message(JsonNode node, int index, boolean answer)
      throws InvalidChatRequest {
    if (!answer) {
      checkFields(node, index);
      return withEarlierRefusal(requestMessage(node, index), node);
    }
    ChatMessage message = requestMessage(node, index);
    return message.withAnswerNotes(optionalString(node, "refusal", "message"), annotations(node));
  }

  /**
   * Checks that every field of a request message is one of OpenAI's message fields and none is one
   * the gateway refuses: a field it does not know is refused by name, never dropped.
   */
  private static void checkFields(JsonNode node, int index) throws InvalidChatRequest {
    if (node == null || !node.isObject()) {
      return; // requestMessage says what is wrong with it
    }
    String at = "messages[" + index + "]";
    java.util.Iterator<String> names = node.fieldNames();
    while (names.hasNext()) {
      String name = names.next();
      if (!MESSAGE_FIELDS.contains(name)) {
        if (!CompletionOptionsReader.FIELD_NAME.matcher(name).matches()) {
          throw new InvalidChatRequest(
              "unsupported_parameter", at, "a message has a field whose name is not a field name");
        }
        throw new InvalidChatRequest(
            "unsupported_parameter", at + "." + name, "messages do not take the field " + name);
      }
    }
    if (node.hasNonNull("audio")) {
      throw new InvalidChatRequest(
          "unsupported_parameter",
          at + ".audio",
          "audio is not supported: the gateway cannot redact it");
    }
    if (node.hasNonNull("function_call")) {
      throw new InvalidChatRequest(
          "unsupported_parameter",
          at + ".function_call",
          "function_call is deprecated and not supported; use tool_calls");
    }
    JsonNode refusal = node.get("refusal");
    if (refusal != null && !refusal.isNull()) {
      if (!refusal.isTextual()) {
        throw invalid(at + ".refusal", "refusal must be a string");
      }
      if (!"assistant".equals(node.path("role").textValue())) {
        throw invalid(at + ".refusal", "only assistant messages carry a refusal");
      }
      JsonNode content = node.get("content");
      if (content != null && !content.isNull()) {
        throw invalid(at + ".refusal", "a message has content or a refusal, not both");
      }
    }
  }

  /**
   * An assistant message that was a refusal, with the refusal as its content: what the model said
   * reaches it again, and every guardrail reads it as the message's text.
   */
  private static ChatMessage withEarlierRefusal(ChatMessage message, JsonNode node) {
    JsonNode refusal = node.path("refusal");
    if (!refusal.isTextual()) {
      return message;
    }
    return new ChatMessage(
        message.role(),
        List.of(ContentPart.text(refusal.textValue())),
        true,
        message.name(),
        message.toolCalls(),
        message.toolCallId());
  }

  private static List<Annotation> annotations(JsonNode node) throws InvalidChatRequest {
    JsonNode annotations = node.get("annotations");
    if (annotations == null || annotations.isNull()) {
      return List.of();
    }
    try {
      return List.of(Json.mapper().treeToValue(annotations, Annotation[].class));
    } catch (JsonProcessingException | IllegalArgumentException e) {
      throw invalid("message.annotations", "annotations must be url citations");
    }
  }

  private static ChatMessage requestMessage(JsonNode node, int index) throws InvalidChatRequest {
    String at = "messages[" + index + "]";
    if (node == null || !node.isObject()) {
      throw invalid(at, "each message must be an object");
    }
    JsonNode role = node.get("role");
    if (role == null || !role.isTextual()) {
      throw invalid(at + ".role", "role must be a string");
    }
    JsonNode content = node.get("content");
    String name = null;
    JsonNode nameNode = node.get("name");
    if (nameNode != null && !nameNode.isNull()) {
      if (!nameNode.isTextual()) {
        throw invalid(at + ".name", "name must be a string");
      }
      name = nameNode.textValue();
      if (name.length() > MAX_NAME_CHARS) {
        throw invalid(at + ".name", "name may have at most " + MAX_NAME_CHARS + " characters");
      }
    }
    List<ToolCall> toolCalls = List.of();
    JsonNode toolCallsNode = node.get("tool_calls");
    if (toolCallsNode != null && !toolCallsNode.isNull()) {
      if (!"assistant".equals(role.textValue())) {
        throw invalid(at + ".tool_calls", "only assistant messages carry tool_calls");
      }
      toolCalls = toolCalls(toolCallsNode, at + ".tool_calls");
    }
    String toolCallId = optionalString(node, "tool_call_id", at);
    if (toolCallId != null && toolCallId.length() > MAX_ID_CHARS) {
      throw invalid(
          at + ".tool_call_id", "tool_call_id may have at most " + MAX_ID_CHARS + " characters");
    }
    if ("tool".equals(role.textValue()) && (toolCallId == null || toolCallId.isEmpty())) {
      throw invalid(at + ".tool_call_id", "a tool message needs the tool_call_id it answers");
    }
    if (toolCallId != null && !"tool".equals(role.textValue())) {
      throw invalid(at + ".tool_call_id", "only tool messages carry a tool_call_id");
    }
    if (content == null || content.isNull()) {
      if (!toolCalls.isEmpty() || node.path("refusal").isTextual()) {
        return new ChatMessage(role.textValue(), List.of(), false, name, toolCalls, null);
      }
      throw invalid(at + ".content", "content is required");
    }
    if (content.isTextual()) {
      return new ChatMessage(
          role.textValue(),
          List.of(ContentPart.text(content.textValue())),
          true,
          name,
          toolCalls,
          toolCallId);
    }
    if (!content.isArray()) {
      throw invalid(at + ".content", "content must be a string or an array of parts");
    }
    List<ContentPart> parts = new ArrayList<>(content.size());
    for (int p = 0; p < content.size(); p++) {
      String partAt = at + ".content[" + p + "]";
      JsonNode part = content.get(p);
      if (!part.isObject() || !part.path("type").isTextual()) {
        throw invalid(partAt, "each content part must be an object with a type");
      }
      if (!"text".equals(part.get("type").textValue())) {
        throw invalid(partAt + ".type", "only text content parts are supported");
      }
      if (!part.path("text").isTextual()) {
        throw invalid(partAt + ".text", "a text part needs a string text");
      }
      parts.add(ContentPart.text(part.get("text").textValue()));
    }
    return new ChatMessage(role.textValue(), parts, false, name, toolCalls, toolCallId);
  }

  private static RagContext context(JsonNode node) throws InvalidChatRequest {
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isObject()) {
      throw invalid("context", "context must be an object");
    }
    String source = source(node, "context");
    JsonNode chunksNode = node.get("chunks");
    if (chunksNode == null || !chunksNode.isArray()) {
      throw invalid("context.chunks", "context.chunks must be an array");
    }
    List<RagChunk> chunks = new ArrayList<>(chunksNode.size());
    for (int i = 0; i < chunksNode.size(); i++) {
      String at = "context.chunks[" + i + "]";
      JsonNode chunk = chunksNode.get(i);
      if (!chunk.isObject()) {
        throw invalid(at, "each chunk must be an object");
      }
      JsonNode id = chunk.get("id");
      if (id == null || !(id.isTextual() || id.isIntegralNumber())) {
        throw invalid(at + ".id", "a chunk id must be a string");
      }
      if (id.asText().length() > MAX_ID_CHARS) {
        throw invalid(at + ".id", "a chunk id may have at most " + MAX_ID_CHARS + " characters");
      }
      JsonNode content = chunk.get("content");
      if (content == null || !content.isTextual()) {
        throw invalid(at + ".content", "a chunk's content must be a string");
      }
      chunks.add(new RagChunk(id.asText(), content.textValue(), source(chunk, at)));
    }
    return new RagContext(source, chunks);
  }

  private static String source(JsonNode node, String at) throws InvalidChatRequest {
    String source = optionalString(node, "source", at);
    if (source != null && source.length() > MAX_SOURCE_CHARS) {
      throw invalid(
          at + ".source", "a source may have at most " + MAX_SOURCE_CHARS + " characters");
    }
    return source;
  }

  private static List<String> stop(JsonNode node) throws InvalidChatRequest {
    if (node == null || node.isNull()) {
      return null;
    }
    if (node.isTextual()) {
      return List.of(stopSequence(node.textValue(), "stop"));
    }
    if (!node.isArray()) {
      throw invalid("stop", "stop must be a string or an array of strings");
    }
    if (node.size() > MAX_STOP_SEQUENCES) {
      throw invalid("stop", "at most " + MAX_STOP_SEQUENCES + " stop sequences are allowed");
    }
    List<String> stop = new ArrayList<>(node.size());
    for (JsonNode item : node) {
      if (!item.isTextual()) {
        throw invalid("stop", "stop must be a string or an array of strings");
      }
      stop.add(stopSequence(item.textValue(), "stop[" + stop.size() + "]"));
    }
    return stop;
  }

  private static String stopSequence(String sequence, String at) throws InvalidChatRequest {
    if (sequence.length() > MAX_STOP_CHARS) {
      throw invalid(at, "a stop sequence may have at most " + MAX_STOP_CHARS + " characters");
    }
    return sequence;
  }

  private static String requiredString(JsonNode root, String field) throws InvalidChatRequest {
    JsonNode value = root.get(field);
    if (value == null || !value.isTextual() || value.textValue().isBlank()) {
      throw invalid(field, field + " must be a non-empty string");
    }
    return value.textValue();
  }

  /** An optional string of at most {@code maxChars} characters. */
  static String boundedString(JsonNode root, String field, int maxChars) throws InvalidChatRequest {
    String value = optionalString(root, field);
    if (value != null && value.length() > maxChars) {
      throw invalid(field, field + " may have at most " + maxChars + " characters");
    }
    return value;
  }

  static String optionalString(JsonNode root, String field) throws InvalidChatRequest {
    return optionalString(root, field, field);
  }

  static String optionalString(JsonNode root, String field, String at) throws InvalidChatRequest {
    JsonNode value = root.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isTextual()) {
      String path = at.equals(field) ? field : at + "." + field;
      throw invalid(path, path + " must be a string");
    }
    return value.textValue();
  }

  static Boolean optionalBoolean(JsonNode root, String field) throws InvalidChatRequest {
    return optionalBoolean(root, field, field);
  }

  static Boolean optionalBoolean(JsonNode root, String field, String at) throws InvalidChatRequest {
    JsonNode value = root.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isBoolean()) {
      String path = at.equals(field) ? field : at + "." + field;
      throw invalid(path, path + " must be a boolean");
    }
    return value.booleanValue();
  }

  private static Integer optionalPositiveInt(JsonNode root, String field)
      throws InvalidChatRequest {
    JsonNode value = root.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isIntegralNumber() || !value.canConvertToInt() || value.intValue() < 1) {
      throw invalid(field, field + " must be a positive integer");
    }
    return value.intValue();
  }

  static Double optionalNumber(JsonNode root, String field, double min, double max)
      throws InvalidChatRequest {
    JsonNode value = root.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isNumber() || value.doubleValue() < min || value.doubleValue() > max) {
      throw invalid(field, field + " must be a number from " + min + " to " + max);
    }
    return value.doubleValue();
  }

  static InvalidChatRequest invalid(String param, String message) {
    return new InvalidChatRequest("invalid_request", param, message);
  }
}

package dev.sluice.schemas.chat;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A chat-completion request as the gateway understands it: the OpenAI fields it acts on, plus the
 * optional retrieval {@code context}, and the {@link CompletionOptions} it passes on. {@code
 * max_completion_tokens} arrives here as {@code maxTokens}; the options say which name it came
 * under.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record ChatRequest(
    String model,
    List<ChatMessage> messages,
    @JsonIgnore Integer maxTokens,
    Double temperature,
    @JsonProperty("top_p") Double topP,
    List<String> stop,
    String user,
    RagContext context,
    List<Tool> tools,
    @JsonProperty("tool_choice") ToolChoice toolChoice,
    @JsonProperty("parallel_tool_calls") Boolean parallelToolCalls,
    @JsonIgnore CompletionOptions options) {

  public ChatRequest {
    options = options == null ? CompletionOptions.NONE : options;
    Objects.requireNonNull(model, "model");
    messages = List.copyOf(messages);
    stop = stop == null ? null : List.copyOf(stop);
    tools = tools == null ? null : List.copyOf(tools);
  }

  /**
   * Read from its JSON form, which is the chat-request body itself (the pending-call store keeps it
   * so): through {@link ChatRequests#parse}, so a restored request has every option it had and
   * passes the same checks as one that arrived.
   */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  static ChatRequest fromJson(JsonNode json) {
    try {
      return ChatRequests.parse(json);
    } catch (InvalidChatRequest e) {
      throw new IllegalArgumentException(e.getMessage() + " (" + e.param() + ")");
    }
  }

  /** The cap under the name it came with, and the options, as the body's own fields. */
  @JsonAnyGetter
  Map<String, Object> wireFields() {
    Map<String, Object> fields = new LinkedHashMap<>();
    if (maxTokens != null) {
      fields.put(options.capField().field(), maxTokens);
    }
    fields.putAll(options.fields());
    return fields;
  }

  /** A request without options. */
  public ChatRequest(
      String model,
      List<ChatMessage> messages,
      Integer maxTokens,
      Double temperature,
      Double topP,
      List<String> stop,
      String user,
      RagContext context,
      List<Tool> tools,
      ToolChoice toolChoice,
      Boolean parallelToolCalls) {
    this(
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
        CompletionOptions.NONE);
  }

  /** A request without tools. */
  public ChatRequest(
      String model,
      List<ChatMessage> messages,
      Integer maxTokens,
      Double temperature,
      Double topP,
      List<String> stop,
      String user,
      RagContext context) {
    this(
        model,
        messages,
        maxTokens,
        temperature,
        topP,
        stop,
        user,
        context,
        null,
        null,
        null,
        CompletionOptions.NONE);
  }

  /** The same request for another model (an alias resolved). */
  public ChatRequest withModel(String resolved) {
    return new ChatRequest(
        resolved,
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

  /** The same request with other messages (cleaned by a stage). */
  public ChatRequest withMessages(List<ChatMessage> changed) {
    return new ChatRequest(
        model,
        changed,
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

  /** The same request with another retrieval context (cleaned by a stage). */
  public ChatRequest withContext(RagContext changed) {
    return new ChatRequest(
        model,
        messages,
        maxTokens,
        temperature,
        topP,
        stop,
        user,
        changed,
        tools,
        toolChoice,
        parallelToolCalls,
        options);
  }

  /** The same request with other tool definitions (cleaned by a stage). */
  public ChatRequest withTools(List<Tool> changed) {
    return new ChatRequest(
        model,
        messages,
        maxTokens,
        temperature,
        topP,
        stop,
        user,
        context,
        changed,
        toolChoice,
        parallelToolCalls,
        options);
  }

  /** The same request with other options (cleaned by a stage). */
  public ChatRequest withOptions(CompletionOptions changed) {
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
        changed);
  }

  /** Whether the request offers the model any tool. */
  public boolean hasTools() {
    return tools != null && !tools.isEmpty();
  }

  /** The text of the last user message, or {@code ""}. */
  public String lastUserText() {
    for (int i = messages.size() - 1; i >= 0; i--) {
      if ("user".equals(messages.get(i).role())) {
        return messages.get(i).text();
      }
    }
    return "";
  }

  @Override
  public String toString() {
    return "ChatRequest[model="
        + model
        + ", messages="
        + messages.size()
        + (tools == null ? "" : ", tools=" + tools.size())
        + ", options="
        + options
        + "]";
  }
}

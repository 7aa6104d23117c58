package dev.sluice.schemas.chat;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Objects;

/**
 * A chat-completion request as the gateway understands it: the OpenAI fields it acts on, plus the
 * optional retrieval {@code context}. {@code max_completion_tokens} arrives here as {@code
 * maxTokens}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record ChatRequest(
    String model,
    List<ChatMessage> messages,
    @JsonProperty("max_tokens") Integer maxTokens,
    Double temperature,
    @JsonProperty("top_p") Double topP,
    List<String> stop,
    String user,
    RagContext context,
    List<Tool> tools,
    @JsonProperty("tool_choice") ToolChoice toolChoice,
    @JsonProperty("parallel_tool_calls") Boolean parallelToolCalls) {

  public ChatRequest {
    Objects.requireNonNull(model, "model");
    messages = List.copyOf(messages);
    stop = stop == null ? null : List.copyOf(stop);
    tools = tools == null ? null : List.copyOf(tools);
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
    this(model, messages, maxTokens, temperature, topP, stop, user, context, null, null, null);
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
        parallelToolCalls);
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
        parallelToolCalls);
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
        parallelToolCalls);
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
        + "]";
  }
}

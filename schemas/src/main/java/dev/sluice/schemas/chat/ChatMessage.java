package dev.sluice.schemas.chat;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import java.util.List;
import java.util.Objects;

/**
 * One chat message. {@code content} keeps the caller's form: OpenAI accepts a plain string or an
 * array of parts, and a provider adapter sends back what it was given.
 *
 * @param role {@code system}, {@code developer}, {@code user}, {@code assistant} or {@code tool}
 * @param content the text parts; {@code stringForm} says whether it arrived as one string. Empty
 *     for an assistant message that only calls tools (OpenAI's {@code "content": null})
 * @param name optional participant name
 * @param toolCalls the tools an assistant message calls; empty when none
 * @param toolCallId the call a {@code tool} message answers; null on other messages
 * @param refusal an assistant answer's refusal, the text a model writes instead of content when it
 *     declines; null when it did not (and always on requests, where the gateway does not read it)
 * @param annotations an assistant answer's notes on its content (url citations); empty when none
 *     (and always on requests)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonSerialize(using = ChatMessageJson.Serializer.class)
@JsonDeserialize(using = ChatMessageJson.Deserializer.class)
public record ChatMessage(
    String role,
    List<ContentPart> content,
    boolean stringForm,
    String name,
    List<ToolCall> toolCalls,
    String toolCallId,
    String refusal,
    List<Annotation> annotations) {

  public ChatMessage {
    Objects.requireNonNull(role, "role");
    content = List.copyOf(content);
    toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
    annotations = annotations == null ? List.of() : List.copyOf(annotations);
    if (stringForm && content.size() != 1) {
      throw new IllegalArgumentException("a string-form message has exactly one part");
    }
  }

  public ChatMessage(
      String role,
      List<ContentPart> content,
      boolean stringForm,
      String name,
      List<ToolCall> toolCalls,
      String toolCallId) {
    this(role, content, stringForm, name, toolCalls, toolCallId, null, List.of());
  }

  public ChatMessage(String role, List<ContentPart> content, boolean stringForm, String name) {
    this(role, content, stringForm, name, List.of(), null);
  }

  public static ChatMessage of(String role, String text) {
    return new ChatMessage(role, List.of(ContentPart.text(text)), true, null);
  }

  /** An assistant's answer: text (null when it only calls tools) and the tools it calls. */
  public static ChatMessage assistant(String text, List<ToolCall> toolCalls) {
    return text == null
        ? new ChatMessage("assistant", List.of(), false, null, toolCalls, null)
        : new ChatMessage(
            "assistant", List.of(ContentPart.text(text)), true, null, toolCalls, null);
  }

  /** The same message with other tool calls (arguments cleaned by the redactor). */
  public ChatMessage withToolCalls(List<ToolCall> changed) {
    return new ChatMessage(
        role, content, stringForm, name, changed, toolCallId, refusal, annotations);
  }

  /** The same answer with its refusal and annotations (as the provider sent them, or redacted). */
  public ChatMessage withAnswerNotes(String changedRefusal, List<Annotation> changedAnnotations) {
    return new ChatMessage(
        role, content, stringForm, name, toolCalls, toolCallId, changedRefusal, changedAnnotations);
  }

  /** Whether the message has content; an assistant message that only calls tools has none. */
  @JsonIgnore
  public boolean hasContent() {
    return !content.isEmpty();
  }

  /** All text parts, joined: what guardrails inspect and providers read. */
  @JsonIgnore
  public String text() {
    if (content.isEmpty()) {
      return "";
    }
    if (content.size() == 1) {
      return content.get(0).text();
    }
    StringBuilder joined = new StringBuilder();
    for (ContentPart part : content) {
      if (joined.length() > 0) {
        joined.append('\n');
      }
      joined.append(part.text());
    }
    return joined.toString();
  }

  @Override
  public String toString() {
    // Message text is a prompt: never in logs.
    return "ChatMessage[role="
        + role
        + ", parts="
        + content.size()
        + (toolCalls.isEmpty() ? "" : ", toolCalls=" + toolCalls.size())
        + (refusal == null ? "" : ", refusal")
        + "]";
  }
}

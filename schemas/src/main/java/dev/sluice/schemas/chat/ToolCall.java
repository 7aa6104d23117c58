package dev.sluice.schemas.chat;

import java.util.Objects;

/**
 * One tool call in an assistant message, in OpenAI's shape: {@code {"id", "type": "function",
 * "function": {"name", "arguments"}}}.
 */
public record ToolCall(String id, String type, FunctionCall function) {
  public static final String FUNCTION = "function";

  public ToolCall {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(function, "function");
  }

  public static ToolCall function(String id, String name, String arguments) {
    return new ToolCall(id, FUNCTION, new FunctionCall(name, arguments));
  }

  /** The same call with other arguments (cleaned by the redactor). */
  public ToolCall withArguments(String changed) {
    return new ToolCall(id, type, new FunctionCall(function.name(), changed));
  }
}

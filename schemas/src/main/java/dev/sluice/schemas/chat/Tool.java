package dev.sluice.schemas.chat;

import java.util.Objects;

/** A tool the caller offers the model; only OpenAI's {@code function} tools exist today. */
public record Tool(String type, FunctionDefinition function) {
  public Tool {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(function, "function");
  }

  public static Tool function(FunctionDefinition function) {
    return new Tool(ToolCall.FUNCTION, function);
  }
}

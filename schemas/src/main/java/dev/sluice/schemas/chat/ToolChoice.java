package dev.sluice.schemas.chat;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Whether and which tool the model must call. On the wire it is OpenAI's string ({@code none},
 * {@code auto}, {@code required}) or {@code {"type": "function", "function": {"name": ...}}}.
 *
 * @param mode {@code none}, {@code auto}, {@code required} or {@code function}
 * @param functionName the function to call when the mode is {@code function}, else null
 */
public record ToolChoice(String mode, String functionName) {
  public static final String NONE = "none";
  public static final String AUTO = "auto";
  public static final String REQUIRED = "required";
  public static final String FUNCTION = "function";
  static final Set<String> MODES = Set.of(NONE, AUTO, REQUIRED);

  public ToolChoice {
    Objects.requireNonNull(mode, "mode");
    if (FUNCTION.equals(mode) != (functionName != null)) {
      throw new IllegalArgumentException("a function name goes with mode function, and only it");
    }
    if (!FUNCTION.equals(mode) && !MODES.contains(mode)) {
      throw new IllegalArgumentException("unknown tool choice mode");
    }
  }

  public static ToolChoice of(String mode) {
    return new ToolChoice(mode, null);
  }

  public static ToolChoice function(String name) {
    return new ToolChoice(FUNCTION, name);
  }

  @JsonValue
  Object wireForm() {
    return functionName == null
        ? mode
        : Map.of("type", FUNCTION, "function", Map.of("name", functionName));
  }

  @JsonCreator
  static ToolChoice fromWire(JsonNode node) {
    try {
      return ChatRequests.toolChoice(node);
    } catch (InvalidChatRequest e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }
}

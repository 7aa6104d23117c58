package dev.sluice.egress.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.schemas.Json;
import dev.sluice.schemas.chat.ChatRequest;

/**
 * OpenAI's {@code response_format} on Anthropic, the way Anthropic documents JSON output for every
 * Claude model: one tool whose {@code input_schema} is the answer's schema, and {@code tool_choice}
 * forcing it, so the model's answer is the tool's input, written to the schema (Anthropic does not
 * validate a tool's input against it unless the tool is strict, so a {@code strict} schema is a
 * strong hint here, not OpenAI's guarantee). {@code json_schema} gives its name, description and
 * schema; {@code json_object} asks for any object. The answer's text is that input, as JSON; the
 * tool never shows up as a tool call. A request with tools of its own cannot also force this one:
 * the validation stage refuses the combination for Anthropic models.
 */
final class AnswerTool {
  private AnswerTool() {}

  /** The tool's name for {@code json_object}, which names none. */
  static final String JSON_OBJECT = "json_object";

  /** The forced tool for a request that asks for JSON, or null when it does not. */
  static ObjectNode of(ChatRequest request) {
    String name = nameFor(request);
    if (name == null) {
      return null;
    }
    JsonNode format = request.options().responseFormat();
    ObjectNode tool = Json.mapper().createObjectNode();
    tool.put("name", name);
    JsonNode schema = format.path("json_schema");
    if (schema.path("description").isTextual()) {
      tool.put("description", schema.get("description").textValue());
    } else {
      tool.put("description", "Give the answer as this tool's input: a JSON object.");
    }
    if (schema.path("schema").isObject()) {
      ObjectNode input = schema.get("schema").deepCopy();
      if (!input.has("type")) {
        // Anthropic requires an input schema of type object; OpenAI's schemas are objects too.
        input.put("type", "object");
      }
      tool.set("input_schema", input);
    } else {
      tool.putObject("input_schema").put("type", "object");
    }
    return tool;
  }

  /** The name of the tool a request's answer comes in, or null when it does not ask for JSON. */
  static String nameFor(ChatRequest request) {
    if (!request.options().wantsJson()) {
      return null;
    }
    JsonNode name = request.options().responseFormat().path("json_schema").path("name");
    // json_schema's name is checked to be 1 to 64 of A-Z a-z 0-9 _ -, which Anthropic's tool
    // names take as they are.
    return name.isTextual() ? name.textValue() : JSON_OBJECT;
  }
}

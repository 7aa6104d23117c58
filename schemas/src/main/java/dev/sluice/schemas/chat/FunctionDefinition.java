package dev.sluice.schemas.chat;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/**
 * A function the caller offers the model.
 *
 * @param parameters the arguments' JSON Schema, passed to the provider as given; null when absent
 * @param strict OpenAI's structured-outputs switch; null when absent
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record FunctionDefinition(
    String name, String description, JsonNode parameters, Boolean strict) {
  public FunctionDefinition {
    Objects.requireNonNull(name, "name");
  }
}

package dev.sluice.schemas.chat;

import java.util.Objects;

/**
 * The function a model asked to call.
 *
 * @param name the function's name
 * @param arguments the arguments as JSON text, exactly as OpenAI's wire format carries them (a
 *     string, which a model may get wrong, so it is not parsed here)
 */
public record FunctionCall(String name, String arguments) {
  public FunctionCall {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(arguments, "arguments");
  }

  @Override
  public String toString() {
    // Arguments are model output and may carry personal data.
    return "FunctionCall[name=" + name + "]";
  }
}

package dev.sluice.pipeline.firewall;

import dev.sluice.schemas.chat.ChatRequest;
import dev.sluice.schemas.chat.FunctionDefinition;
import dev.sluice.schemas.chat.Tool;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Text the caller gives the model; {@link #of} lists what is not in a message: each tool's
 * description and parameter schema, the predicted output, and a structured-output schema. An
 * application writes these itself or takes them from elsewhere (a tool server's definitions), and
 * the model follows them like a system prompt, so they are scored as the caller's prompt is and may
 * not carry hidden text.
 *
 * @param param where it is in the request, e.g. {@code tools[2].function.description}
 * @param text the text, JSON schemas as compact JSON
 */
public record InstructionText(String param, String text) {

  /** Every such text of the request, in request order: tools first, then the options. */
  public static List<InstructionText> of(ChatRequest request) {
    List<InstructionText> texts = new ArrayList<>();
    List<Tool> tools = request.tools() == null ? List.of() : request.tools();
    for (int i = 0; i < tools.size(); i++) {
      FunctionDefinition function = tools.get(i).function();
      String at = "tools[" + i + "].function";
      if (function.description() != null && !function.description().isEmpty()) {
        texts.add(new InstructionText(at + ".description", function.description()));
      }
      if (function.parameters() != null) {
        texts.add(new InstructionText(at + ".parameters", function.parameters().toString()));
      }
    }
    for (Map.Entry<String, String> option : request.options().texts().entrySet()) {
      texts.add(new InstructionText(option.getKey(), option.getValue()));
    }
    return texts;
  }

  @Override
  public String toString() {
    // The text is the caller's; a log line names where it is only.
    return "InstructionText[" + param + ", " + text.length() + " chars]";
  }
}

package dev.sluice.egress.anthropic;

import dev.sluice.schemas.chat.ChatRequest;
import dev.sluice.schemas.chat.CompletionOptions;
import java.util.Set;

/**
 * Which of OpenAI's options Anthropic's Messages API receives. Two are mapped: {@code
 * response_format} (a forced answer tool, {@link AnswerTool}) and {@code safety_identifier} (as
 * {@code metadata.user_id}); every other one has no counterpart under Anthropic's documented API
 * (no seed, logprobs, penalties or logit bias; its thinking budget is no effort level) and is
 * refused by name, never dropped: by the validation stage for a request to an Anthropic model, and
 * by the adapter for one that reaches Anthropic as a fallback.
 */
public final class AnthropicFields {
  private AnthropicFields() {}

  static final Set<String> MAPPED = Set.of("response_format", "safety_identifier");

  /**
   * The first field of {@code request} Anthropic would not receive, or null when it receives them
   * all. Unknown fields the tenant's policy passes through go to Anthropic as they are.
   */
  public static String unsupportedField(ChatRequest request) {
    CompletionOptions options = request.options();
    for (String field : options.fields().keySet()) {
      if (!MAPPED.contains(field) && !options.unknownFields().containsKey(field)) {
        return field;
      }
    }
    if (options.wantsJson()
        && ((request.tools() != null && !request.tools().isEmpty())
            || options.unknownFields().containsKey("thinking"))) {
      // The answer comes as a forced tool's input, so no other tool could be called, and
      // Anthropic refuses a forced tool while extended thinking is on.
      return "response_format";
    }
    return null;
  }
}

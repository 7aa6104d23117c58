package dev.sluice.schemas.reply;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.sluice.schemas.chat.ChatMessage;

/**
 * One answer choice in OpenAI's shape.
 *
 * @param logprobs the tokens' log probabilities when the request asked for them ({@code logprobs:
 *     true}), else null
 */
public record Choice(
    int index,
    ChatMessage message,
    @JsonProperty("finish_reason") String finishReason,
    @JsonInclude(JsonInclude.Include.NON_NULL) ChoiceLogprobs logprobs) {

  /** A choice without log probabilities. */
  public Choice(int index, ChatMessage message, String finishReason) {
    this(index, message, finishReason, null);
  }
}

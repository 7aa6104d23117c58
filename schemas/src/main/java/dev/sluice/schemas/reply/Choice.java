package dev.sluice.schemas.reply;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.sluice.schemas.chat.ChatMessage;

/** One answer choice in OpenAI's shape. */
public record Choice(
    int index, ChatMessage message, @JsonProperty("finish_reason") String finishReason) {}

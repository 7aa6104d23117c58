package dev.sluice.pipeline.firewall.spotlight;

import dev.sluice.schemas.chat.ChatMessage;
import java.util.List;
import java.util.Objects;

/** What {@link Spotlight#build} made of a request: its conversation, or why it cannot be sent. */
public sealed interface Spotlighting permits Spotlighting.Spotlighted, Spotlighting.Refused {

  /**
   * The conversation the provider is sent.
   *
   * @param messages the caller's messages with the gateway's documents message (and instruction)
   * @param mode the mode applied: a tenant's {@code datamark} is {@code delimit} with tools
   * @param documentsAt the index of the documents message in {@code messages}
   * @param instructionAt the index of the system message that carries the instruction, or -1 in
   *     mode {@code off}
   */
  record Spotlighted(
      List<ChatMessage> messages, SpotlightMode mode, int documentsAt, int instructionAt)
      implements Spotlighting {
    public Spotlighted {
      messages = List.copyOf(messages);
      Objects.requireNonNull(mode, "mode");
    }

    public ChatMessage documents() {
      return messages.get(documentsAt);
    }

    @Override
    public String toString() {
      // The messages hold the prompt and the documents.
      return "Spotlighted[messages=" + messages.size() + ", mode=" + mode + "]";
    }
  }

  /**
   * Chunks that contain the request's boundary marker: sent, they could close their document and
   * speak as the gateway, so the request is refused.
   *
   * @param chunkIds the offending chunks' ids, as the caller wrote them
   */
  record Refused(List<String> chunkIds) implements Spotlighting {
    public Refused {
      chunkIds = List.copyOf(chunkIds);
    }
  }
}

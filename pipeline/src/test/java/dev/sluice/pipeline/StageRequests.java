package dev.sluice.pipeline;

import dev.sluice.schemas.Principal;
import dev.sluice.schemas.chat.ChatMessage;
import dev.sluice.schemas.chat.ChatRequest;
import dev.sluice.schemas.chat.RagContext;
import dev.sluice.schemas.envelope.ReplyTo;
import dev.sluice.schemas.envelope.Source;
import dev.sluice.schemas.envelope.VerifiedRequest;
import java.util.List;

/** Verified requests as a stage sees them, for the stages' unit tests. */
public final class StageRequests {
  private StageRequests() {}

  /** A request {@code r1} of {@code tenant}/{@code subject} over HTTP. */
  public static VerifiedRequest verified(String tenant, String subject, ChatRequest chat) {
    return new VerifiedRequest(
        "r1",
        new Principal(tenant, subject),
        Source.HTTP,
        new ReplyTo("llm.replies", 0),
        null,
        null,
        null,
        null,
        0,
        chat);
  }

  /** A chat request with only the fields stages look at. */
  public static ChatRequest chat(
      String model, List<ChatMessage> messages, Integer maxTokens, RagContext context) {
    return new ChatRequest(model, messages, maxTokens, null, null, null, null, context);
  }

  /** One user message. */
  public static List<ChatMessage> user(String text) {
    return List.of(ChatMessage.of("user", text));
  }
}

package dev.sluice.pipeline.chain;

import dev.sluice.pipeline.ratelimit.LimitTicket;
import dev.sluice.schemas.chat.ChatMessage;
import dev.sluice.schemas.chat.ChatRequest;
import dev.sluice.schemas.chat.RagContext;
import dev.sluice.schemas.envelope.VerifiedRequest;
import dev.sluice.schemas.reply.ChatCompletion;
import java.util.List;
import java.util.Objects;

/**
 * What travels down the chain: the verified request (never the credential), the conversation the
 * provider is to be sent when a stage built one, and, once the provider stage has answered, the
 * completion that the stages after it work on.
 *
 * <p>The conversation is kept apart from the request on purpose: the request stays what the caller
 * sent (as the guardrails cleaned it), which is what the audit log hashes, while the gateway's own
 * messages (the spotlighted retrieval context, with a boundary drawn at random for this request,
 * and the caller's messages without hidden text) go to the provider only.
 *
 * @param providerMessages the messages the provider is sent, or null to send the request's own
 * @param providerContext the context the provider's documents were built from when it is not the
 *     request's own (hidden text stripped), or null; the citations list its chunks
 * @param completion null until the provider stage answered
 * @param rateLimit what the rate-limit stage decided, once it has; null before it or without it
 * @param heldMs how long the gateway held the request on purpose (batch traffic waiting for its
 *     rate limit), which does not count against the provider call's deadline
 */
public record Exchange(
    VerifiedRequest request,
    List<ChatMessage> providerMessages,
    RagContext providerContext,
    ChatCompletion completion,
    LimitTicket rateLimit,
    long heldMs) {
  public Exchange {
    Objects.requireNonNull(request, "request");
    providerMessages = providerMessages == null ? null : List.copyOf(providerMessages);
    if (heldMs < 0) {
      throw new IllegalArgumentException("heldMs cannot be negative: " + heldMs);
    }
  }

  public Exchange(
      VerifiedRequest request,
      List<ChatMessage> providerMessages,
      RagContext providerContext,
      ChatCompletion completion) {
    this(request, providerMessages, providerContext, completion, null, 0);
  }

  public Exchange(VerifiedRequest request, ChatCompletion completion) {
    this(request, null, null, completion);
  }

  /** A request on its way to the provider. */
  public static Exchange of(VerifiedRequest request) {
    return new Exchange(request, null, null, null);
  }

  public Exchange withRequest(VerifiedRequest changed) {
    return new Exchange(changed, providerMessages, providerContext, completion, rateLimit, heldMs);
  }

  /** The same exchange with the conversation the provider is to be sent. */
  public Exchange withProviderMessages(List<ChatMessage> messages) {
    return new Exchange(request, messages, providerContext, completion, rateLimit, heldMs);
  }

  /**
   * The same exchange with the conversation the provider is to be sent and the context its
   * documents were built from (null: the request's own).
   */
  public Exchange withProviderMessages(List<ChatMessage> messages, RagContext context) {
    return new Exchange(request, messages, context, completion, rateLimit, heldMs);
  }

  public Exchange withCompletion(ChatCompletion answered) {
    return new Exchange(request, providerMessages, providerContext, answered, rateLimit, heldMs);
  }

  /** The same exchange with the rate-limit stage's decision. */
  public Exchange withRateLimit(LimitTicket ticket) {
    return new Exchange(request, providerMessages, providerContext, completion, ticket, heldMs);
  }

  /** The same exchange held {@code ms} longer. */
  public Exchange heldFor(long ms) {
    return new Exchange(
        request, providerMessages, providerContext, completion, rateLimit, heldMs + ms);
  }

  /**
   * The chat request as the provider gets it: the request with the built conversation and the
   * context it was built from, if any.
   */
  public ChatRequest providerRequest() {
    ChatRequest chat = request.request();
    if (providerMessages != null) {
      chat = chat.withMessages(providerMessages);
    }
    return providerContext == null ? chat : chat.withContext(providerContext);
  }

  public boolean answered() {
    return completion != null;
  }

  public String requestId() {
    return request.requestId();
  }
}

package dev.sluice.pipeline.chain;

import dev.sluice.schemas.chat.ChatMessage;
import dev.sluice.schemas.chat.ChatRequest;
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
 * sent (as the guardrails cleaned it), which is what the audit log hashes and the citations list,
 * while the gateway's own messages (the spotlighted retrieval context, with a boundary drawn at
 * random for this request) go to the provider only.
 *
 * @param providerMessages the messages the provider is sent, or null to send the request's own
 * @param completion null until the provider stage answered
 */
public record Exchange(
    VerifiedRequest request, List<ChatMessage> providerMessages, ChatCompletion completion) {
  public Exchange {
    Objects.requireNonNull(request, "request");
    providerMessages = providerMessages == null ? null : List.copyOf(providerMessages);
  }

  public Exchange(VerifiedRequest request, ChatCompletion completion) {
    this(request, null, completion);
  }

  /** A request on its way to the provider. */
  public static Exchange of(VerifiedRequest request) {
    return new Exchange(request, null, null);
  }

  public Exchange withRequest(VerifiedRequest changed) {
    return new Exchange(changed, providerMessages, completion);
  }

  /** The same exchange with the conversation the provider is to be sent. */
  public Exchange withProviderMessages(List<ChatMessage> messages) {
    return new Exchange(request, messages, completion);
  }

  public Exchange withCompletion(ChatCompletion answered) {
    return new Exchange(request, providerMessages, answered);
  }

  /** The chat request as the provider gets it: the request with the built conversation, if any. */
  public ChatRequest providerRequest() {
    ChatRequest chat = request.request();
    return providerMessages == null ? chat : chat.withMessages(providerMessages);
  }

  public boolean answered() {
    return completion != null;
  }

  public String requestId() {
    return request.requestId();
  }
}

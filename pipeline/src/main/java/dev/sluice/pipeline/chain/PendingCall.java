package dev.sluice.pipeline.chain;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.sluice.schemas.StageName;
import dev.sluice.schemas.chat.ChatMessage;
import dev.sluice.schemas.chat.RagContext;
import dev.sluice.schemas.envelope.VerifiedRequest;
import dev.sluice.schemas.reply.ChatCompletion;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A request waiting on an asynchronous stage, as kept in the changelogged {@code pending-calls}
 * store so that a restarted pipeline runs that stage again. Holds the verified request (never the
 * credential) as the stages before it left it.
 *
 * @param providerMessages the conversation built for the provider (the spotlighted retrieval
 *     context), or null when the provider is sent the request's own messages
 * @param providerContext the context those messages were built from when it is not the request's
 *     own (hidden text stripped), or null; entries written before it existed have none
 * @param completion the provider's answer when the waiting stage comes after the provider, else
 *     null
 * @param stage the stage being waited on; entries written before stages were named are provider
 *     calls
 * @param timings stage timings so far
 * @param startedAtMs when the waiting stage started
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PendingCall(
    VerifiedRequest request,
    List<ChatMessage> providerMessages,
    RagContext providerContext,
    ChatCompletion completion,
    StageName stage,
    Map<String, Double> timings,
    long startedAtMs) {
  public PendingCall {
    Objects.requireNonNull(request, "request");
    providerMessages = providerMessages == null ? null : List.copyOf(providerMessages);
    stage = stage == null ? StageName.PROVIDER : stage;
    timings = timings == null ? Map.of() : Map.copyOf(timings);
  }

  /** A request waiting on {@code stage} as the stages before it left {@code exchange}. */
  public static PendingCall of(
      Exchange exchange, StageName stage, Map<String, Double> timings, long startedAtMs) {
    return new PendingCall(
        exchange.request(),
        exchange.providerMessages(),
        exchange.providerContext(),
        exchange.completion(),
        stage,
        timings,
        startedAtMs);
  }

  /** What the stage works on. */
  public Exchange exchange() {
    return new Exchange(request, providerMessages, providerContext, completion);
  }

  @Override
  public String toString() {
    // The request holds a prompt.
    return "PendingCall[requestId=" + request.requestId() + ", stage=" + stage + "]";
  }
}

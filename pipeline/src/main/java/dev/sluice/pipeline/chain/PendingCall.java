package dev.sluice.pipeline.chain;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.sluice.pipeline.ratelimit.LimitTicket;
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
 * @param rateLimit the rate-limit stage's decision when it has made one, so the request is settled
 *     under the same ledgers after a restart; null before it
 * @param heldMs how long the request has been held on purpose so far (see {@link Exchange})
 * @param heldUntilMs for a request held by a stage (batch traffic over its rate limit): when that
 *     stage is to run again; null for a request waiting on a call
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PendingCall(
    VerifiedRequest request,
    List<ChatMessage> providerMessages,
    RagContext providerContext,
    ChatCompletion completion,
    StageName stage,
    Map<String, Double> timings,
    long startedAtMs,
    LimitTicket rateLimit,
    long heldMs,
    Long heldUntilMs) {
  public PendingCall {
    Objects.requireNonNull(request, "request");
    providerMessages = providerMessages == null ? null : List.copyOf(providerMessages);
    stage = stage == null ? StageName.PROVIDER : stage;
    timings = timings == null ? Map.of() : Map.copyOf(timings);
  }

  /** A request waiting on a call, from before rate limits were kept with it. */
  public PendingCall(
      VerifiedRequest request,
      List<ChatMessage> providerMessages,
      RagContext providerContext,
      ChatCompletion completion,
      StageName stage,
      Map<String, Double> timings,
      long startedAtMs) {
    this(
        request,
        providerMessages,
        providerContext,
        completion,
        stage,
        timings,
        startedAtMs,
        null,
        0,
        null);
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
        startedAtMs,
        exchange.rateLimit(),
        exchange.heldMs(),
        null);
  }

  /** A request {@code stage} held until {@code untilMs}, when that stage runs again. */
  public static PendingCall held(
      Exchange exchange, StageName stage, Map<String, Double> timings, long nowMs, long untilMs) {
    return new PendingCall(
        exchange.request(),
        exchange.providerMessages(),
        exchange.providerContext(),
        exchange.completion(),
        stage,
        timings,
        nowMs,
        exchange.rateLimit(),
        exchange.heldMs(),
        untilMs);
  }

  /** What the stage works on. */
  public Exchange exchange() {
    return new Exchange(request, providerMessages, providerContext, completion, rateLimit, heldMs);
  }

  @Override
  public String toString() {
    // The request holds a prompt.
    return "PendingCall[requestId=" + request.requestId() + ", stage=" + stage + "]";
  }
}

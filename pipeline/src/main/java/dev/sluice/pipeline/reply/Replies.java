package dev.sluice.pipeline.reply;

import dev.sluice.egress.ProviderAnswer;
import dev.sluice.egress.ProviderException;
import dev.sluice.pipeline.redaction.Redactor;
import dev.sluice.pipeline.stage.Refusal;
import dev.sluice.schemas.StageName;
import dev.sluice.schemas.chat.RagChunk;
import dev.sluice.schemas.chat.RagContext;
import dev.sluice.schemas.envelope.VerifiedRequest;
import dev.sluice.schemas.reply.ChatCompletion;
import dev.sluice.schemas.reply.Choice;
import dev.sluice.schemas.reply.Citation;
import dev.sluice.schemas.reply.ErrorCode;
import dev.sluice.schemas.reply.GatewayError;
import dev.sluice.schemas.reply.Meta;
import dev.sluice.schemas.reply.Outcome;
import dev.sluice.schemas.reply.ReplyEnvelope;
import dev.sluice.schemas.reply.UpstreamRateLimits;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeoutException;

/** Builds reply envelopes; the one place that maps outcomes to statuses. */
public final class Replies {
  private Replies() {}

  public static ReplyEnvelope refused(
      String requestId, String tenant, Refusal refusal, Map<String, Double> timings) {
    Outcome outcome = refusal.code().status() >= 500 ? Outcome.FAILED : Outcome.DENIED;
    return new ReplyEnvelope(
        ReplyEnvelope.VERSION,
        requestId,
        tenant,
        outcome,
        refusal.code().status(),
        null,
        refusal.error().withRequestId(requestId),
        Map.of(),
        timings,
        refusal.retryAfterSeconds(),
        null,
        null,
        null,
        null,
        refusal.upstreamRateLimits());
  }

  /**
   * @param sent the context as the provider was sent it, whose chunks the citations list
   */
  public static ChatCompletion completion(
      VerifiedRequest request, RagContext sent, ProviderAnswer answer, long nowMs) {
    String text = answer.message().text();
    return new ChatCompletion(
        "chatcmpl-" + request.requestId(),
        ChatCompletion.OBJECT,
        nowMs / 1000,
        // The name the caller sent, as OpenAI's own answer echoes the model asked for; the
        // provider's name for it (after aliases, a dated snapshot) is in meta.
        request.callerModel(),
        List.of(new Choice(0, answer.message(), answer.finishReason(), answer.logprobs())),
        answer.usage(),
        answer.systemFingerprint(),
        answer.serviceTier(),
        text,
        citations(sent),
        new Meta(
            answer.provider(),
            request.requestId(),
            null,
            request.risk(),
            answer.providerId(),
            answer.model()));
  }

  /** The context chunks the answer could draw on: every chunk the firewall let through. */
  static List<Citation> citations(RagContext context) {
    if (context == null) {
      return List.of();
    }
    List<Citation> citations = new ArrayList<>(context.chunks().size());
    for (RagChunk chunk : context.chunks()) {
      citations.add(new Citation(chunk.id(), context.sourceOf(chunk)));
    }
    return citations;
  }

  public static ReplyEnvelope completed(
      VerifiedRequest request, ChatCompletion completion, Map<String, Double> timings) {
    return new ReplyEnvelope(
        ReplyEnvelope.VERSION,
        request.requestId(),
        request.principal().tenant(),
        Outcome.COMPLETED,
        200,
        completion,
        null,
        completion.meta() == null || completion.meta().redactions() == null
            ? Map.of()
            : completion.meta().redactions(),
        timings,
        null,
        request.batchId(),
        request.customId());
  }

  /** The refusal a failed provider call turns into. */
  public static Refusal providerFailure(Throwable failure) {
    Throwable cause = unwrap(failure);
    if (cause instanceof ProviderException e) {
      if (e.upstream() != null) {
        // The provider refused the request and said why; a refusal without that (egress not
        // allowed, say) is a provider error like any other below.
        return providerRefusal(e.getMessage(), e.upstream());
      }
      switch (e.kind()) {
        case TIMEOUT:
          return Refusal.of(StageName.PROVIDER, ErrorCode.PROVIDER_TIMEOUT, e.getMessage());
        case RATE_LIMITED:
          return new Refusal(
              StageName.PROVIDER,
              ErrorCode.RATE_LIMITED,
              ErrorCode.RATE_LIMITED.error(
                  e.getMessage(), null, List.of(UpstreamRateLimits.REASON)),
              e.retryAfterSeconds(),
              e.upstreamRateLimits());
        case UNKNOWN_MODEL:
          return Refusal.of(StageName.PROVIDER, ErrorCode.MODEL_NOT_ALLOWED, e.getMessage());
        case UNAVAILABLE:
          return new Refusal(
              StageName.PROVIDER,
              ErrorCode.PROVIDER_UNAVAILABLE,
              ErrorCode.PROVIDER_UNAVAILABLE.error(e.getMessage()),
              e.retryAfterSeconds());
        default:
          return Refusal.of(StageName.PROVIDER, ErrorCode.PROVIDER_ERROR, e.getMessage());
      }
    }
    if (cause instanceof TimeoutException) {
      return Refusal.of(
          StageName.PROVIDER, ErrorCode.PROVIDER_TIMEOUT, "the provider did not answer in time");
    }
    // Anything else is unexpected; its message may hold provider internals, so it is not shown.
    return Refusal.of(StageName.PROVIDER, ErrorCode.PROVIDER_ERROR, "the provider call failed");
  }

  /**
   * A provider's 4xx as OpenAI would answer it: the same status for what the caller can fix (400,
   * 404, 422; other 4xx as 400), with the provider's code and param; 502 {@code
   * provider_auth_error} when the provider refused the gateway's own key (401, 403).
   */
  static Refusal providerRefusal(String message, ProviderException.Upstream upstream) {
    ErrorCode code =
        switch (upstream.status()) {
          case 401, 403 -> ErrorCode.PROVIDER_AUTH_ERROR;
          case 404 -> ErrorCode.PROVIDER_NOT_FOUND;
          case 422 -> ErrorCode.PROVIDER_UNPROCESSABLE;
          default -> ErrorCode.PROVIDER_INVALID_REQUEST;
        };
    if (code == ErrorCode.PROVIDER_AUTH_ERROR) {
      // The caller's credential was fine; the provider's code would only confuse it.
      return Refusal.of(
          StageName.PROVIDER,
          code,
          "the provider refused the gateway's credentials (" + upstream.provider() + ")");
    }
    String shown = upstream.code() != null ? upstream.code() : code.code();
    return new Refusal(
        StageName.PROVIDER,
        code,
        new GatewayError(
            withProviderMessage(message, upstream),
            code.type(),
            shown,
            upstream.param(),
            List.of(shown),
            null),
        null);
  }

  // Every type on, whatever the tenant switched on: the refusal is answered before the tenant's
  // answer redaction runs, and a provider's message is text the gateway did not write.
  private static final Redactor PROVIDER_MESSAGES = Redactor.create();

  /**
   * The gateway's message with the provider's own after it, redacted: what the provider said is
   * what lets the caller fix the request ({@code Invalid value for 'temperature'...}), but it may
   * quote the request, PII and secrets included. Only the caller sees it; the audit record keeps
   * the code.
   */
  static String withProviderMessage(String message, ProviderException.Upstream upstream) {
    if (upstream.message() == null) {
      return message;
    }
    return message
        + ": "
        + cut(
            PROVIDER_MESSAGES.redact(upstream.message()).text(),
            ProviderException.Upstream.MAX_MESSAGE_CHARS);
  }

  /**
   * {@code text} cut to at most {@code max} characters, never inside a redaction marker (the cut
   * goes before it) or a surrogate pair.
   */
  static String cut(String text, int max) {
    if (text.length() <= max) {
      return text;
    }
    int end = max;
    int opening = text.lastIndexOf("[REDACTED:", end - 1);
    if (opening >= 0 && text.indexOf(']', opening) >= end) {
      end = opening;
    }
    if (end > 0 && Character.isHighSurrogate(text.charAt(end - 1))) {
      end--;
    }
    return text.substring(0, end) + "…";
  }

  private static Throwable unwrap(Throwable failure) {
    Throwable t = ProviderException.unwrap(failure);
    if (t instanceof CancellationException) {
      return new TimeoutException();
    }
    return t;
  }
}

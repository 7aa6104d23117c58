package dev.sluice.schemas.reply;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.sluice.schemas.envelope.ReplyNonce;
import java.util.Map;
import java.util.Objects;

/**
 * The answer to one request (key = request id). Readers may see a request's reply twice after a
 * crash (at-least-once); they keep the first and drop the rest by {@code requestId}.
 *
 * @param status the HTTP status the ingress answers with
 * @param completion the answer when {@code outcome} is completed
 * @param error the error when it is not
 * @param redactions redaction report: counts by type
 * @param timings milliseconds spent per stage
 * @param retryAfterSeconds set with status 429
 * @param rateLimits the tenant's rate-limit figures, for the {@code x-ratelimit-*} headers; null
 *     when the request did not reach the rate-limit stage or the tenant has no limit
 * @param nonce the request's {@code replyTo.nonce}, copied so its reader can tell this reply from
 *     one forged under the same request id; null when the request had none
 * @param upstreamRateLimits with a provider's 429, the provider's {@code x-ratelimit-*} figures by
 *     name without the prefix ({@code limit-requests}, ...), which the ingress answers as {@code
 *     x-upstream-ratelimit-*}; empty otherwise
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ReplyEnvelope(
    int schemaVersion,
    String requestId,
    String tenant,
    Outcome outcome,
    int status,
    ChatCompletion completion,
    GatewayError error,
    Map<String, Integer> redactions,
    Map<String, Double> timings,
    Integer retryAfterSeconds,
    String batchId,
    String customId,
    ReplyNonce nonce,
    RateLimitState rateLimits,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, String> upstreamRateLimits) {

  public static final int VERSION = 1;

  public ReplyEnvelope {
    Objects.requireNonNull(requestId, "requestId");
    Objects.requireNonNull(outcome, "outcome");
    redactions = redactions == null ? Map.of() : Map.copyOf(redactions);
    timings = timings == null ? Map.of() : Map.copyOf(timings);
    upstreamRateLimits = upstreamRateLimits == null ? Map.of() : Map.copyOf(upstreamRateLimits);
    if ((completion == null) == (error == null)) {
      throw new IllegalArgumentException("a reply has either a completion or an error");
    }
  }

  /** A reply not yet bound to its request; the pipeline's last step adds the nonce. */
  public ReplyEnvelope(
      int schemaVersion,
      String requestId,
      String tenant,
      Outcome outcome,
      int status,
      ChatCompletion completion,
      GatewayError error,
      Map<String, Integer> redactions,
      Map<String, Double> timings,
      Integer retryAfterSeconds,
      String batchId,
      String customId) {
    this(
        schemaVersion,
        requestId,
        tenant,
        outcome,
        status,
        completion,
        error,
        redactions,
        timings,
        retryAfterSeconds,
        batchId,
        customId,
        null,
        null,
        Map.of());
  }

  /** A reply bound to its request, without rate-limit figures. */
  public ReplyEnvelope(
      int schemaVersion,
      String requestId,
      String tenant,
      Outcome outcome,
      int status,
      ChatCompletion completion,
      GatewayError error,
      Map<String, Integer> redactions,
      Map<String, Double> timings,
      Integer retryAfterSeconds,
      String batchId,
      String customId,
      ReplyNonce nonce) {
    this(
        schemaVersion,
        requestId,
        tenant,
        outcome,
        status,
        completion,
        error,
        redactions,
        timings,
        retryAfterSeconds,
        batchId,
        customId,
        nonce,
        null,
        Map.of());
  }

  /** The same reply bound to its request by {@code requestNonce} (null: bound to none). */
  public ReplyEnvelope withNonce(ReplyNonce requestNonce) {
    return new ReplyEnvelope(
        schemaVersion,
        requestId,
        tenant,
        outcome,
        status,
        completion,
        error,
        redactions,
        timings,
        retryAfterSeconds,
        batchId,
        customId,
        requestNonce,
        rateLimits,
        upstreamRateLimits);
  }

  /** The same reply with the tenant's rate-limit figures. */
  public ReplyEnvelope withRateLimits(RateLimitState figures) {
    return new ReplyEnvelope(
        schemaVersion,
        requestId,
        tenant,
        outcome,
        status,
        completion,
        error,
        redactions,
        timings,
        retryAfterSeconds,
        batchId,
        customId,
        nonce,
        figures == null || figures.empty() ? null : figures,
        upstreamRateLimits);
  }

  /**
   * The same answer for another request with the same Idempotency-Key: under {@code otherRequestId}
   * (and its error's {@code request_id}), not yet bound to that request's nonce. The completion is
   * the first call's, its id included, as a repeat of an idempotent call answers.
   */
  public ReplyEnvelope forRequest(String otherRequestId) {
    return new ReplyEnvelope(
        schemaVersion,
        otherRequestId,
        tenant,
        outcome,
        status,
        completion,
        error == null ? null : error.withRequestId(otherRequestId),
        redactions,
        timings,
        retryAfterSeconds,
        batchId,
        customId,
        null,
        rateLimits,
        upstreamRateLimits);
  }

  /** The same reply with a provider's own rate-limit figures. */
  public ReplyEnvelope withUpstreamRateLimits(Map<String, String> figures) {
    return new ReplyEnvelope(
        schemaVersion,
        requestId,
        tenant,
        outcome,
        status,
        completion,
        error,
        redactions,
        timings,
        retryAfterSeconds,
        batchId,
        customId,
        nonce,
        rateLimits,
        figures);
  }
}

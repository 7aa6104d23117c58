package dev.sluice.schemas.envelope;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.sluice.schemas.Principal;
import dev.sluice.schemas.chat.ChatRequest;
import java.util.Objects;

/**
 * A request after authentication and validation: the verified principal instead of the credential,
 * and the typed chat request. This is what later stages and the in-flight store hold.
 *
 * @param acceptedAtMs when the broker accepted the request (LogAppendTime)
 * @param risk what the firewall flagged in a request it let through, or null
 * @param requestedModel the model name as the caller sent it, when validation resolved it to
 *     another (an alias or a bare name); null when the request names it as sent
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record VerifiedRequest(
    String requestId,
    Principal principal,
    Source source,
    ReplyTo replyTo,
    String idempotencyKey,
    String clientIp,
    String batchId,
    String customId,
    long acceptedAtMs,
    ChatRequest request,
    RiskFlag risk,
    String requestedModel) {

  public VerifiedRequest {
    Objects.requireNonNull(requestId, "requestId");
    Objects.requireNonNull(principal, "principal");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(request, "request");
  }

  /** A request whose model name has not been resolved to another. */
  public VerifiedRequest(
      String requestId,
      Principal principal,
      Source source,
      ReplyTo replyTo,
      String idempotencyKey,
      String clientIp,
      String batchId,
      String customId,
      long acceptedAtMs,
      ChatRequest request,
      RiskFlag risk) {
    this(
        requestId,
        principal,
        source,
        replyTo,
        idempotencyKey,
        clientIp,
        batchId,
        customId,
        acceptedAtMs,
        request,
        risk,
        null);
  }

  /** A request nothing has flagged yet. */
  public VerifiedRequest(
      String requestId,
      Principal principal,
      Source source,
      ReplyTo replyTo,
      String idempotencyKey,
      String clientIp,
      String batchId,
      String customId,
      long acceptedAtMs,
      ChatRequest request) {
    this(
        requestId,
        principal,
        source,
        replyTo,
        idempotencyKey,
        clientIp,
        batchId,
        customId,
        acceptedAtMs,
        request,
        null);
  }

  /** The same request with its chat request changed by a stage. */
  public VerifiedRequest withRequest(ChatRequest changed) {
    return new VerifiedRequest(
        requestId,
        principal,
        source,
        replyTo,
        idempotencyKey,
        clientIp,
        batchId,
        customId,
        acceptedAtMs,
        changed,
        risk,
        requestedModel);
  }

  /**
   * The same request remembering the model name the caller sent, once validation has resolved it to
   * another ({@link #request} then names the resolved one).
   */
  public VerifiedRequest withRequestedModel(String asSent) {
    return new VerifiedRequest(
        requestId,
        principal,
        source,
        replyTo,
        idempotencyKey,
        clientIp,
        batchId,
        customId,
        acceptedAtMs,
        request,
        risk,
        asSent);
  }

  /** The model name as the caller sent it: what the answer's {@code model} says. */
  public String callerModel() {
    return requestedModel != null ? requestedModel : request.model();
  }

  /** The same request with a firewall finding added. */
  public VerifiedRequest flagged(RiskFlag finding) {
    return new VerifiedRequest(
        requestId,
        principal,
        source,
        replyTo,
        idempotencyKey,
        clientIp,
        batchId,
        customId,
        acceptedAtMs,
        request,
        risk == null ? finding : risk.merge(finding),
        requestedModel);
  }

  @Override
  public String toString() {
    return "VerifiedRequest[requestId="
        + requestId
        + ", principal="
        + principal
        + ", source="
        + source
        + ", request="
        + request
        + "]";
  }
}

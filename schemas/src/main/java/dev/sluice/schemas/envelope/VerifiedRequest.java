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
    ChatRequest request) {

  public VerifiedRequest {
    Objects.requireNonNull(requestId, "requestId");
    Objects.requireNonNull(principal, "principal");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(request, "request");
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
        changed);
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

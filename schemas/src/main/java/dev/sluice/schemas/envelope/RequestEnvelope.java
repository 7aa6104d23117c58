package dev.sluice.schemas.envelope;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * A chat request as published to a request topic (key = claimed tenant). Anyone who can produce to
 * the topic can write one, so nothing in it is trusted until the pipeline has verified {@code
 * credential}; the request itself stays raw JSON until the validation stage reads it.
 *
 * @param schemaVersion contract version, {@value #VERSION} today
 * @param requestId unique, time-ordered id (UUIDv7)
 * @param tenant the tenant the producer claims; must match the credential's
 * @param credential the caller's bearer token; dropped as soon as it is verified
 * @param replyTo where the answer goes
 * @param idempotencyKey optional caller-chosen key
 * @param clientIp the caller's address as the ingress saw it, or null
 * @param batchId the batch a batch job's request belongs to, or null
 * @param customId the batch job's own id for this line, or null
 * @param request the chat request JSON (OpenAI fields plus optional {@code context})
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RequestEnvelope(
    int schemaVersion,
    String requestId,
    String tenant,
    String credential,
    ReplyTo replyTo,
    String idempotencyKey,
    String clientIp,
    String batchId,
    String customId,
    JsonNode request) {

  public static final int VERSION = 1;

  @Override
  public String toString() {
    // The credential and the prompt never reach a log line.
    return "RequestEnvelope[requestId="
        + requestId
        + ", tenant="
        + tenant
        + ", replyTo="
        + replyTo
        + ", credential=***, request=***]";
  }
}

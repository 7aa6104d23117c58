package dev.sluice.ingress;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.sluice.schemas.reply.ErrorResponse;
import dev.sluice.schemas.reply.ReplyEnvelope;

/**
 * The answer to {@code GET /v1/requests/{id}}: a request's state and, once settled, the answer its
 * caller would have had, shaped as an OpenAI Batch output line's {@code response} ({@code
 * status_code} and {@code body}) so one parser reads both.
 *
 * @param status {@code completed}, {@code denied} or {@code failed} (the reply's outcome), or
 *     {@code in_progress} while the pipeline still works on it
 * @param response the status and body the chat call answered; absent while in progress
 */
record StoredRequest(String id, String object, String status, Response response) {
  static final String OBJECT = "gateway.request";

  record Response(@JsonProperty("status_code") int statusCode, Object body) {}

  static StoredRequest settled(ReplyEnvelope reply) {
    Object body =
        reply.completion() != null ? reply.completion() : new ErrorResponse(reply.error());
    return new StoredRequest(
        reply.requestId(), OBJECT, reply.outcome().wireName(), new Response(reply.status(), body));
  }

  static StoredRequest inProgress(String requestId) {
    return new StoredRequest(requestId, OBJECT, "in_progress", null);
  }
}

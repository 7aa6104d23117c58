package dev.sluice.egress;

import dev.sluice.schemas.chat.ChatRequest;
import java.util.Objects;

/**
 * One call to a provider.
 *
 * @param requestId the gateway's request id, for the provider's logs and idempotency
 * @param model the model name without its provider prefix
 * @param request the chat request as the guardrails left it
 * @param deadlineMs epoch milliseconds after which the answer is of no use
 */
public record ProviderCall(String requestId, String model, ChatRequest request, long deadlineMs) {
  public ProviderCall {
    Objects.requireNonNull(requestId, "requestId");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(request, "request");
  }
}

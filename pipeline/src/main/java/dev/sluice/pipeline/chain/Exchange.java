package dev.sluice.pipeline.chain;

import dev.sluice.schemas.envelope.VerifiedRequest;
import dev.sluice.schemas.reply.ChatCompletion;
import java.util.Objects;

/**
 * What travels down the chain: the verified request (never the credential) and, once the provider
 * stage has answered, the completion that the stages after it work on.
 *
 * @param completion null until the provider stage answered
 */
public record Exchange(VerifiedRequest request, ChatCompletion completion) {
  public Exchange {
    Objects.requireNonNull(request, "request");
  }

  /** A request on its way to the provider. */
  public static Exchange of(VerifiedRequest request) {
    return new Exchange(request, null);
  }

  public Exchange withRequest(VerifiedRequest changed) {
    return new Exchange(changed, completion);
  }

  public Exchange withCompletion(ChatCompletion answered) {
    return new Exchange(request, answered);
  }

  public boolean answered() {
    return completion != null;
  }

  public String requestId() {
    return request.requestId();
  }
}

package dev.sluice.pipeline.chain;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.sluice.schemas.StageName;
import dev.sluice.schemas.envelope.VerifiedRequest;
import dev.sluice.schemas.reply.ChatCompletion;
import java.util.Map;
import java.util.Objects;

/**
 * A request waiting on an asynchronous stage, as kept in the changelogged {@code pending-calls}
 * store so that a restarted pipeline runs that stage again. Holds the verified request (never the
 * credential) as the stages before it left it.
 *
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
    ChatCompletion completion,
    StageName stage,
    Map<String, Double> timings,
    long startedAtMs) {
  public PendingCall {
    Objects.requireNonNull(request, "request");
    stage = stage == null ? StageName.PROVIDER : stage;
    timings = timings == null ? Map.of() : Map.copyOf(timings);
  }

  /** What the stage works on. */
  public Exchange exchange() {
    return new Exchange(request, completion);
  }

  @Override
  public String toString() {
    // The request holds a prompt.
    return "PendingCall[requestId=" + request.requestId() + ", stage=" + stage + "]";
  }
}

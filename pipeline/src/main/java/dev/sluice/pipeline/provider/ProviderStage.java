package dev.sluice.pipeline.provider;

import dev.sluice.egress.ProviderAnswer;
import dev.sluice.egress.ProviderRouter;
import dev.sluice.pipeline.chain.AsyncStage;
import dev.sluice.pipeline.chain.Exchange;
import dev.sluice.pipeline.chain.Verdict;
import dev.sluice.pipeline.reply.Replies;
import dev.sluice.pipeline.stage.Refusal;
import dev.sluice.schemas.StageName;
import dev.sluice.schemas.envelope.VerifiedRequest;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * The provider stage: the request's model and then its fallbacks, through {@code egress}, which
 * owns retries, timeouts, circuit breakers and the egress allowlist. The call is the request's own,
 * so cancelling it (a lost task, a passed deadline) abandons only this request.
 */
public final class ProviderStage implements AsyncStage<ProviderAnswer> {
  private final ProviderRouter providers;
  private final ModelChains modelChains;

  /**
   * @param modelChains the models to try for each request: its own, then its fallbacks
   */
  public ProviderStage(ProviderRouter providers, ModelChains modelChains) {
    this.providers = Objects.requireNonNull(providers, "providers");
    this.modelChains = Objects.requireNonNull(modelChains, "modelChains");
  }

  @Override
  public StageName name() {
    return StageName.PROVIDER;
  }

  @Override
  public CompletableFuture<ProviderAnswer> start(Exchange exchange, long deadlineMs) {
    VerifiedRequest request = exchange.request();
    List<String> chain = modelChains.chain(request.principal().tenant(), request.request().model());
    // The conversation as the stages built it (the spotlighted context included): adapters send
    // the messages they are given and never look at the request's context themselves.
    return providers
        .complete(request.requestId(), chain, exchange.providerRequest(), deadlineMs)
        .toCompletableFuture();
  }

  @Override
  public Verdict resume(Exchange exchange, ProviderAnswer answer, long nowMs) {
    // The citations list the chunks as they were sent (hidden text stripped, say).
    return Verdict.next(
        exchange.withCompletion(
            Replies.completion(
                exchange.request(), exchange.providerRequest().context(), answer, nowMs)));
  }

  @Override
  public Refusal failed(Throwable failure) {
    return Replies.providerFailure(failure);
  }
}

package dev.sluice.egress;

import dev.sluice.schemas.chat.ChatRequest;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes a model name to its provider: {@code provider:model} goes to that provider, a bare name
 * that is itself a provider (such as {@code stub}) to that provider with the same model name. A
 * chain of model names is tried in order, falling back to the next when a provider is down, busy or
 * out of time (see {@link #complete(String, List, ChatRequest, long)}).
 */
public final class ProviderRouter {
  private static final Logger LOGGER = LoggerFactory.getLogger(ProviderRouter.class);

  private final Map<String, Provider> providers;
  private final InstantSource clock;

  public ProviderRouter(List<Provider> providers) {
    this(providers, InstantSource.system());
  }

  /** Tests move the deadline's clock themselves. */
  ProviderRouter(List<Provider> providers, InstantSource clock) {
    Map<String, Provider> byName = new HashMap<>();
    for (Provider provider : providers) {
      if (byName.put(provider.name(), provider) != null) {
        throw new IllegalArgumentException("two providers named " + provider.name());
      }
    }
    this.providers = Map.copyOf(byName);
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * Starts the call to one model; failures, including an unknown model, complete the stage
   * exceptionally. The same as a chain of that one model.
   */
  public CompletionStage<ProviderAnswer> complete(
      String requestId, String modelName, ChatRequest request, long deadlineMs) {
    return complete(requestId, List.of(modelName), request, deadlineMs);
  }

  /**
   * Tries each {@code provider:model} of the chain in order until one answers; the answer's {@code
   * provider} and {@code model} say which did.
   *
   * <p>The next model is tried only after a failure another provider might not have: {@link
   * ProviderException.Kind#ERROR}, {@link ProviderException.Kind#TIMEOUT}, {@link
   * ProviderException.Kind#RATE_LIMITED}, {@link ProviderException.Kind#UNAVAILABLE}, or a model no
   * configured provider serves (skipped without a call). Never after {@link
   * ProviderException.Kind#REFUSED} (another provider would be sent the same request), nor after a
   * provider itself said {@link ProviderException.Kind#UNKNOWN_MODEL}, nor once the deadline has
   * passed ({@code deadlineMs <= 0} means no deadline). Any other failure counts as {@code ERROR},
   * a {@link TimeoutException} as {@code TIMEOUT}.
   *
   * <p>When no model answers, the stage fails with the most telling failure:
   *
   * <ol>
   *   <li>when the deadline passed with models left untried: a {@code TIMEOUT} (the last failure if
   *       it was one);
   *   <li>otherwise the last failure of a provider that was called, so a misconfigured model at the
   *       end of the chain does not hide why the models before it failed;
   *   <li>when no model in the chain names a configured provider: {@code UNKNOWN_MODEL}.
   * </ol>
   *
   * <p>The returned stage belongs to this call: cancelling or completing it (such as a caller's
   * timeout) cancels the attempt in flight and tries no further model.
   */
  public CompletionStage<ProviderAnswer> complete(
      String requestId, List<String> modelChain, ChatRequest request, long deadlineMs) {
    Objects.requireNonNull(requestId, "requestId");
    Objects.requireNonNull(request, "request");
    List<String> chain = List.copyOf(modelChain);
    if (chain.isEmpty()) {
      return CompletableFuture.failedFuture(unknownModel());
    }
    ChainCall call = new ChainCall(requestId, chain, request, deadlineMs);
    call.attempt(0, null);
    return call.result;
  }

  /** A model's provider and its name there, or null when no configured provider serves it. */
  private Route route(String modelName) {
    int colon = modelName.indexOf(':');
    String providerName = colon < 0 ? modelName : modelName.substring(0, colon);
    String model = colon < 0 ? modelName : modelName.substring(colon + 1);
    Provider provider = providers.get(providerName);
    return provider == null || model.isEmpty() ? null : new Route(provider, model);
  }

  private record Route(Provider provider, String model) {}

  /** Whether another model is worth trying after this failure, time allowing. */
  static boolean fallsBack(ProviderException.Kind kind, boolean providerCalled) {
    if (!providerCalled) {
      return true; // an entry no configured provider serves: skipped
    }
    switch (kind) {
      case ERROR:
      case TIMEOUT:
      case RATE_LIMITED:
      case UNAVAILABLE:
        return true;
      default:
        return false;
    }
  }

  static ProviderException.Kind kindOf(Throwable failure) {
    if (failure instanceof ProviderException e) {
      return e.kind();
    }
    return failure instanceof TimeoutException
        ? ProviderException.Kind.TIMEOUT
        : ProviderException.Kind.ERROR;
  }

  private static ProviderException unknownModel() {
    return new ProviderException(
        ProviderException.Kind.UNKNOWN_MODEL, "no provider serves the requested model");
  }

  private static ProviderException timeout() {
    return new ProviderException(
        ProviderException.Kind.TIMEOUT, "the provider did not answer in time");
  }

  /**
   * One walk down a chain. Attempts run one after another, each started from the previous one's
   * completion, so the state passed along needs no locking.
   */
  private final class ChainCall {
    private final String requestId;
    private final List<String> chain;
    private final ChatRequest request;
    private final long deadlineMs;
    private final CompletableFuture<ProviderAnswer> result = new CompletableFuture<>();
    private final AtomicReference<CompletableFuture<ProviderAnswer>> inFlight =
        new AtomicReference<>();

    ChainCall(String requestId, List<String> chain, ChatRequest request, long deadlineMs) {
      this.requestId = requestId;
      this.chain = chain;
      this.request = request;
      this.deadlineMs = deadlineMs;
      // Whoever settles the result first, the attempt in flight is of no more use.
      result.whenComplete(
          (answer, failure) -> {
            CompletableFuture<ProviderAnswer> attempt = inFlight.get();
            if (attempt != null) {
              attempt.cancel(false);
            }
          });
    }

    /**
     * @param lastCalledFailure the last failure of a provider actually called, or null
     */
    void attempt(int index, Throwable lastCalledFailure) {
      if (result.isDone()) {
        return;
      }
      Route route = route(chain.get(index));
      if (route == null) {
        failed(index, unknownModel(), false, lastCalledFailure);
        return;
      }
      CompletableFuture<ProviderAnswer> attempt;
      try {
        attempt =
            route
                .provider()
                .complete(new ProviderCall(requestId, route.model(), request, deadlineMs))
                .toCompletableFuture();
      } catch (RuntimeException e) {
        attempt = CompletableFuture.failedFuture(e);
      }
      inFlight.set(attempt);
      if (result.isDone()) {
        attempt.cancel(false); // the caller gave up while this attempt was starting
        return;
      }
      attempt.whenComplete(
          (answer, failure) -> {
            if (failure == null) {
              result.complete(answer);
            } else {
              Throwable cause = ProviderException.unwrap(failure);
              failed(index, cause, true, cause);
            }
          });
    }

    private void failed(
        int index, Throwable failure, boolean providerCalled, Throwable lastCalledFailure) {
      if (result.isDone()) {
        return;
      }
      ProviderException.Kind kind = kindOf(failure);
      boolean more = index + 1 < chain.size();
      if (!more || !fallsBack(kind, providerCalled)) {
        result.completeExceptionally(lastCalledFailure != null ? lastCalledFailure : failure);
        return;
      }
      if (deadlineMs > 0 && clock.millis() >= deadlineMs) {
        result.completeExceptionally(kind == ProviderException.Kind.TIMEOUT ? failure : timeout());
        return;
      }
      LOGGER
          .atInfo()
          .addKeyValue("requestId", requestId)
          .addKeyValue("from", chain.get(index))
          .addKeyValue("to", chain.get(index + 1))
          .addKeyValue("reason", kind)
          .log("falling back to the next model");
      attempt(index + 1, lastCalledFailure);
    }
  }
}

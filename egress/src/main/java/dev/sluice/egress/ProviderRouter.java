package dev.sluice.egress;

import dev.sluice.schemas.chat.ChatRequest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Routes a model name to its provider: {@code provider:model} goes to that provider, a bare name
 * that is itself a provider (such as {@code stub}) to that provider with the same model name.
 */
public final class ProviderRouter {
  private final Map<String, Provider> providers;

  public ProviderRouter(List<Provider> providers) {
    Map<String, Provider> byName = new HashMap<>();
    for (Provider provider : providers) {
      if (byName.put(provider.name(), provider) != null) {
        throw new IllegalArgumentException("two providers named " + provider.name());
      }
    }
    this.providers = Map.copyOf(byName);
  }

  /** Starts the call; failures, including an unknown model, complete the stage exceptionally. */
  public CompletionStage<ProviderAnswer> complete(
      String requestId, String modelName, ChatRequest request, long deadlineMs) {
    int colon = modelName.indexOf(':');
    String providerName = colon < 0 ? modelName : modelName.substring(0, colon);
    String model = colon < 0 ? modelName : modelName.substring(colon + 1);
    Provider provider = providers.get(providerName);
    if (provider == null || model.isEmpty()) {
      return CompletableFuture.failedFuture(
          new ProviderException(
              ProviderException.Kind.UNKNOWN_MODEL, "no provider serves the requested model"));
    }
    try {
      return provider.complete(new ProviderCall(requestId, model, request, deadlineMs));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }
}

package dev.sluice.egress;

import java.util.concurrent.CompletionStage;

/**
 * A model provider behind the gateway. Calls never block the caller's thread: the answer (or a
 * {@link ProviderException}) completes the returned stage on a thread of the provider's own.
 */
public interface Provider {

  /** The provider's name as used in {@code provider:model} and in {@code meta.provider}. */
  String name();

  /**
   * Starts one call. The returned stage belongs to this call alone: the pipeline may time it out or
   * cancel it (a task moving to another instance), and a provider may abandon the call then.
   */
  CompletionStage<ProviderAnswer> complete(ProviderCall call);
}

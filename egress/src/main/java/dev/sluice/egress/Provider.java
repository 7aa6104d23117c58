package dev.sluice.egress;

import java.util.concurrent.CompletionStage;

/**
 * A model provider behind the gateway. Calls never block the caller's thread: the answer (or a
 * {@link ProviderException}) completes the returned stage on a thread of the provider's own.
 */
public interface Provider {

  /** The provider's name as used in {@code provider:model} and in {@code meta.provider}. */
  String name();

  CompletionStage<ProviderAnswer> complete(ProviderCall call);
}

package dev.sluice.pipeline.chain;

import dev.sluice.pipeline.stage.Refusal;
import java.util.concurrent.CompletableFuture;

/**
 * A stage that needs the network (OPA, Redis, a provider, a model-based detector). {@link #start}
 * runs on the stream thread and must only start the work: the future completes on the stage's own
 * threads (never the stream threads, never the common pool). {@link #resume} turns the result into
 * a verdict back on the stream thread. The chain bounds every call by the request's deadline and
 * maps a failure or a late answer through {@link #failed}.
 *
 * @param <T> what the network call answers
 */
public non-sealed interface AsyncStage<T> extends Stage {

  /**
   * @param deadlineMs epoch milliseconds after which the answer is no longer wanted
   */
  CompletableFuture<T> start(Exchange exchange, long deadlineMs);

  /** The verdict for {@code result}, on the stream thread. */
  Verdict resume(Exchange exchange, T result, long nowMs);

  /**
   * The refusal for a call that failed, threw, or ran past its deadline (then {@code failure} is a
   * {@link java.util.concurrent.TimeoutException}). Security checks fail closed here.
   */
  Refusal failed(Throwable failure);
}

package dev.sluice.egress.circuit;

import dev.sluice.egress.Provider;
import dev.sluice.egress.ProviderAnswer;
import dev.sluice.egress.ProviderCall;
import dev.sluice.egress.ProviderException;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A provider behind its circuit breaker, under the same name. While the circuit refuses calls, a
 * call fails at once with {@link ProviderException.Kind#UNAVAILABLE} and a Retry-After, and the
 * provider is not called.
 *
 * <p>What counts as a fault: {@link ProviderException.Kind#ERROR} and {@link
 * ProviderException.Kind#TIMEOUT}, any other unexpected failure, and a call its caller cancelled
 * after the call's deadline (the provider did not answer in time, it just did not say so first).
 * Neutral: {@code REFUSED}, {@code RATE_LIMITED}, {@code UNKNOWN_MODEL} (the provider is up and
 * answering), and a call cancelled before its deadline, such as when the pipeline moves a task to
 * another instance. Cancelling the returned stage cancels the provider's own.
 */
public final class CircuitBreakingProvider implements Provider {
  static final String OPEN_MESSAGE = "the provider is unavailable (circuit open)";

  private final Provider delegate;
  private final CircuitBreaker breaker;

  public CircuitBreakingProvider(Provider delegate, CircuitBreaker breaker) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.breaker = Objects.requireNonNull(breaker, "breaker");
  }

  /** The provider behind a circuit of its own, named after it. */
  public CircuitBreakingProvider(Provider delegate, CircuitSettings settings) {
    this(delegate, new CircuitBreaker(delegate.name(), settings));
  }

  @Override
  public String name() {
    return delegate.name();
  }

  /** The circuit, for health and metrics. */
  public CircuitBreaker breaker() {
    return breaker;
  }

  @Override
  public CompletionStage<ProviderAnswer> complete(ProviderCall call) {
    Admission admission = breaker.tryAcquire();
    if (admission instanceof Admission.Rejected rejected) {
      return CompletableFuture.failedFuture(
          new ProviderException(
              ProviderException.Kind.UNAVAILABLE, OPEN_MESSAGE, rejected.retryAfterSeconds()));
    }
    Permit permit = ((Admission.Granted) admission).permit();
    CompletableFuture<ProviderAnswer> inner;
    try {
      inner = delegate.complete(call).toCompletableFuture();
    } catch (RuntimeException e) {
      permit.record(outcome(e, call, breaker.nowMs()));
      return CompletableFuture.failedFuture(e);
    }
    CompletableFuture<ProviderAnswer> result = new CompletableFuture<>();
    // Registered first, so a caller's cancel is recorded as such before the provider's stage,
    // cancelled in turn, reports anything.
    result.whenComplete(
        (answer, failure) -> {
          if (result.isCancelled()) {
            permit.record(outcome(new CancellationException(), call, breaker.nowMs()));
            inner.cancel(false);
          }
        });
    inner.whenComplete(
        (answer, failure) -> {
          if (failure == null) {
            permit.record(CallOutcome.SUCCESS);
            result.complete(answer);
          } else {
            Throwable cause = ProviderException.unwrap(failure);
            permit.record(outcome(cause, call, breaker.nowMs()));
            result.completeExceptionally(cause);
          }
        });
    return result;
  }

  /** What a failed call says about the provider's health. */
  static CallOutcome outcome(Throwable failure, ProviderCall call, long nowMs) {
    Throwable cause = ProviderException.unwrap(failure);
    if (cause instanceof CancellationException) {
      boolean pastDeadline = call.deadlineMs() > 0 && nowMs >= call.deadlineMs();
      return pastDeadline ? CallOutcome.FAULT : CallOutcome.NEUTRAL;
    }
    if (cause instanceof ProviderException e) {
      switch (e.kind()) {
        case ERROR:
        case TIMEOUT:
          return CallOutcome.FAULT;
        default:
          return CallOutcome.NEUTRAL;
      }
    }
    // Anything else (a TimeoutException, an adapter's bug) is a failure the provider did not
    // describe: the caller sees a 502 or 504, so it is a fault.
    return CallOutcome.FAULT;
  }

  @Override
  public String toString() {
    return "CircuitBreakingProvider[" + delegate.name() + ", " + breaker.state() + "]";
  }
}

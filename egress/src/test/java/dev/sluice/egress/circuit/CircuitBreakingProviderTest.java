package dev.sluice.egress.circuit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.sluice.egress.Provider;
import dev.sluice.egress.ProviderAnswer;
import dev.sluice.egress.ProviderCall;
import dev.sluice.egress.ProviderException;
import dev.sluice.egress.ProviderException.Kind;
import dev.sluice.schemas.chat.ChatMessage;
import dev.sluice.schemas.chat.ChatRequest;
import dev.sluice.schemas.reply.Usage;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class CircuitBreakingProviderTest {
  private static final long START_MS = 1_000_000;
  private static final ChatRequest REQUEST =
      new ChatRequest(
          "p:m", List.of(ChatMessage.of("user", "hi")), null, null, null, null, null, null);

  private final FakeClock clock = new FakeClock(START_MS);
  private final CircuitBreaker breaker =
      new CircuitBreaker("p", new CircuitSettings(2, Duration.ofMillis(10_000)), clock);
  private final ManualProvider delegate = new ManualProvider();
  private final CircuitBreakingProvider provider = new CircuitBreakingProvider(delegate, breaker);

  /** A provider whose calls stay open until the test settles them. */
  private static final class ManualProvider implements Provider {
    final List<CompletableFuture<ProviderAnswer>> calls = new CopyOnWriteArrayList<>();

    @Override
    public String name() {
      return "p";
    }

    @Override
    public CompletionStage<ProviderAnswer> complete(ProviderCall call) {
      CompletableFuture<ProviderAnswer> future = new CompletableFuture<>();
      calls.add(future);
      return future;
    }

    CompletableFuture<ProviderAnswer> last() {
      return calls.get(calls.size() - 1);
    }
  }

  private static ProviderCall call(long deadlineMs) {
    return new ProviderCall("r1", "m", REQUEST, deadlineMs);
  }

  private static ProviderAnswer answer() {
    return new ProviderAnswer("p", "m", ChatMessage.of("assistant", "ok"), "stop", Usage.of(1, 1));
  }

  private CompletableFuture<ProviderAnswer> start() {
    return provider.complete(call(START_MS + 60_000)).toCompletableFuture();
  }

  private void failNext(Throwable failure) {
    CompletableFuture<ProviderAnswer> result = start();
    delegate.last().completeExceptionally(failure);
    assertThat(result).isCompletedExceptionally();
  }

  private static ProviderException failureOf(CompletableFuture<ProviderAnswer> result) {
    Throwable thrown = catchThrowable(result::join);
    assertThat(thrown).isInstanceOf(CompletionException.class);
    assertThat(thrown.getCause()).isInstanceOf(ProviderException.class);
    return (ProviderException) thrown.getCause();
  }

  @Test
  void keepsTheDelegatesNameAndPassesAnswersThrough() {
    assertThat(provider.name()).isEqualTo("p");
    CompletableFuture<ProviderAnswer> result = start();
    delegate.last().complete(answer());
    assertThat(result.join()).isEqualTo(answer());
  }

  @Test
  void failsFastWithoutCallingTheDelegateWhileOpen() {
    failNext(new ProviderException(Kind.ERROR, "boom"));
    failNext(new ProviderException(Kind.TIMEOUT, "slow"));
    assertThat(breaker.state()).isEqualTo(CircuitState.OPEN);
    clock.advance(2_500);

    CompletableFuture<ProviderAnswer> result = start();

    assertThat(delegate.calls).hasSize(2);
    ProviderException failure = failureOf(result);
    assertThat(failure.kind()).isEqualTo(Kind.UNAVAILABLE);
    assertThat(failure.getMessage()).isEqualTo("the provider is unavailable (circuit open)");
    assertThat(failure.retryAfterSeconds()).isEqualTo(8);
  }

  @Test
  void providerFailuresKeepTheirKind() {
    CompletableFuture<ProviderAnswer> result = start();
    delegate.last().completeExceptionally(new ProviderException(Kind.RATE_LIMITED, "slow down", 7));
    ProviderException failure = failureOf(result);
    assertThat(failure.kind()).isEqualTo(Kind.RATE_LIMITED);
    assertThat(failure.retryAfterSeconds()).isEqualTo(7);
  }

  @Test
  void refusalsRateLimitsAndUnknownModelsAreNotFaults() {
    for (int i = 0; i < 3; i++) {
      failNext(new ProviderException(Kind.REFUSED, "bad request"));
      failNext(new ProviderException(Kind.RATE_LIMITED, "slow down", 1));
      failNext(new ProviderException(Kind.UNKNOWN_MODEL, "no such model"));
    }
    assertThat(breaker.state()).isEqualTo(CircuitState.CLOSED);
  }

  @Test
  void unexpectedFailuresAreFaults() {
    failNext(new TimeoutException());
    failNext(new IllegalStateException("adapter bug"));
    assertThat(breaker.state()).isEqualTo(CircuitState.OPEN);
  }

  @Test
  void aDelegateThatThrowsCountsAsAFault() {
    Provider throwing =
        new Provider() {
          @Override
          public String name() {
            return "p";
          }

          @Override
          public CompletionStage<ProviderAnswer> complete(ProviderCall call) {
            throw new ProviderException(Kind.ERROR, "cannot start");
          }
        };
    CircuitBreakingProvider wrapped = new CircuitBreakingProvider(throwing, breaker);
    for (int i = 0; i < 2; i++) {
      assertThat(wrapped.complete(call(0)).toCompletableFuture()).isCompletedExceptionally();
    }
    assertThat(breaker.state()).isEqualTo(CircuitState.OPEN);
  }

  @Test
  void cancellingACallCancelsTheDelegatesStageAndIsNoFault() {
    for (int i = 0; i < 3; i++) {
      CompletableFuture<ProviderAnswer> result = start();
      result.cancel(false);
      assertThat(delegate.last()).isCancelled();
    }
    assertThat(breaker.state()).isEqualTo(CircuitState.CLOSED);
  }

  @Test
  void aCallCancelledAfterItsDeadlineIsATimeout() {
    for (int i = 0; i < 2; i++) {
      CompletableFuture<ProviderAnswer> result =
          provider.complete(call(clock.millis() + 1_000)).toCompletableFuture();
      clock.advance(1_000);
      result.cancel(false);
    }
    assertThat(breaker.state()).isEqualTo(CircuitState.OPEN);
  }

  @Test
  void aCancelledProbeLetsTheNextCallProbe() {
    failNext(new ProviderException(Kind.ERROR, "boom"));
    failNext(new ProviderException(Kind.ERROR, "boom"));
    clock.advance(10_000);

    CompletableFuture<ProviderAnswer> probe = start();
    assertThat(delegate.calls).hasSize(3);
    assertThat(failureOf(start()).retryAfterSeconds()).isEqualTo(1);
    assertThat(delegate.calls).hasSize(3);

    probe.cancel(false);
    assertThat(breaker.state()).isEqualTo(CircuitState.HALF_OPEN);
    CompletableFuture<ProviderAnswer> next = start();
    assertThat(delegate.calls).hasSize(4);
    delegate.last().complete(answer());
    assertThat(next.join()).isEqualTo(answer());
    assertThat(breaker.state()).isEqualTo(CircuitState.CLOSED);
  }

  @Test
  void aFailedProbeReopens() {
    failNext(new ProviderException(Kind.ERROR, "boom"));
    failNext(new ProviderException(Kind.ERROR, "boom"));
    clock.advance(10_000);
    failNext(new ProviderException(Kind.TIMEOUT, "slow"));
    assertThat(breaker.state()).isEqualTo(CircuitState.OPEN);
    assertThat(failureOf(start()).retryAfterSeconds()).isEqualTo(10);
  }

  @Test
  void theSettingsConstructorNamesTheCircuitAfterTheProvider() {
    CircuitBreakingProvider wrapped =
        new CircuitBreakingProvider(delegate, CircuitSettings.DEFAULTS);
    assertThat(wrapped.breaker().name()).isEqualTo("p");
    assertThat(wrapped.breaker().state()).isEqualTo(CircuitState.CLOSED);
  }
}

package dev.sluice.egress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.sluice.egress.ProviderException.Kind;
import dev.sluice.egress.circuit.CircuitBreakingProvider;
import dev.sluice.egress.circuit.CircuitSettings;
import dev.sluice.schemas.chat.ChatMessage;
import dev.sluice.schemas.chat.ChatRequest;
import dev.sluice.schemas.reply.Usage;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class ProviderRouterTest {
  private static final long START_MS = 1_000_000;
  private static final long DEADLINE_MS = START_MS + 10_000;
  private static final ChatRequest REQUEST =
      new ChatRequest(
          "a:m", List.of(ChatMessage.of("user", "hi")), null, null, null, null, null, null);

  private final AtomicLong nowMs = new AtomicLong(START_MS);
  private final InstantSource clock = () -> Instant.ofEpochMilli(nowMs.get());

  /** Every call any fake provider received, as {@code provider:model}, in order. */
  private final List<String> calls = new CopyOnWriteArrayList<>();

  /** A provider that does what the test tells it with each call. */
  private final class FakeProvider implements Provider {
    private final String name;
    private final Function<ProviderCall, CompletableFuture<ProviderAnswer>> behaviour;
    final List<CompletableFuture<ProviderAnswer>> stages = new CopyOnWriteArrayList<>();

    FakeProvider(String name, Function<ProviderCall, CompletableFuture<ProviderAnswer>> behaviour) {
      this.name = name;
      this.behaviour = behaviour;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public CompletionStage<ProviderAnswer> complete(ProviderCall call) {
      calls.add(name + ":" + call.model());
      CompletableFuture<ProviderAnswer> stage = behaviour.apply(call);
      stages.add(stage);
      return stage;
    }
  }

  private FakeProvider answering(String name) {
    return new FakeProvider(
        name,
        call ->
            CompletableFuture.completedFuture(
                new ProviderAnswer(
                    name,
                    call.model(),
                    ChatMessage.of("assistant", "ok"),
                    "stop",
                    Usage.of(1, 1))));
  }

  private FakeProvider failing(String name, ProviderException failure) {
    return new FakeProvider(name, call -> CompletableFuture.failedFuture(failure));
  }

  private FakeProvider pending(String name) {
    return new FakeProvider(name, call -> new CompletableFuture<>());
  }

  private ProviderRouter router(Provider... providers) {
    return new ProviderRouter(List.of(providers), clock);
  }

  private static CompletableFuture<ProviderAnswer> chain(ProviderRouter router, String... models) {
    return router.complete("r1", List.of(models), REQUEST, DEADLINE_MS).toCompletableFuture();
  }

  private static Throwable failureOf(CompletableFuture<ProviderAnswer> result) {
    assertThat(result).isCompletedExceptionally();
    Throwable thrown = catchThrowable(result::join);
    assertThat(thrown).isInstanceOf(CompletionException.class);
    return thrown.getCause();
  }

  private static Kind kindOf(CompletableFuture<ProviderAnswer> result) {
    Throwable failure = failureOf(result);
    assertThat(failure).isInstanceOf(ProviderException.class);
    return ((ProviderException) failure).kind();
  }

  @Test
  void routesProviderModelNamesAndBareProviderNames() {
    ProviderRouter router = router(answering("a"), new StubProvider(0));

    ProviderAnswer answer =
        router.complete("r1", "a:gpt-x", REQUEST, DEADLINE_MS).toCompletableFuture().join();
    assertThat(answer.provider()).isEqualTo("a");
    assertThat(answer.model()).isEqualTo("gpt-x");
    assertThat(calls).containsExactly("a:gpt-x");
    assertThat(router.complete("r1", "stub", REQUEST, 0).toCompletableFuture().join().provider())
        .isEqualTo("stub");
  }

  @Test
  void anUnknownModelFailsTheSingleModelCall() {
    ProviderRouter router = router(answering("a"));
    for (String model : List.of("nope:m", "nope", "a:")) {
      CompletableFuture<ProviderAnswer> result =
          router.complete("r1", model, REQUEST, DEADLINE_MS).toCompletableFuture();
      assertThat(kindOf(result)).isEqualTo(Kind.UNKNOWN_MODEL);
    }
    assertThat(kindOf(chain(router))).isEqualTo(Kind.UNKNOWN_MODEL);
    assertThat(calls).isEmpty();
  }

  @Test
  void twoProvidersWithOneNameAreRefused() {
    assertThatThrownBy(() -> router(answering("a"), answering("a")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void fallsBackInOrderUntilAModelAnswers() {
    ProviderRouter router =
        router(
            failing("a", new ProviderException(Kind.ERROR, "down")),
            failing("b", new ProviderException(Kind.RATE_LIMITED, "busy", 3)),
            failing("c", new ProviderException(Kind.UNAVAILABLE, "circuit open", 9)),
            failing("d", new ProviderException(Kind.TIMEOUT, "slow")),
            answering("e"),
            answering("f"));

    ProviderAnswer answer = chain(router, "a:m1", "b:m2", "c:m3", "d:m4", "e:m5", "f:m6").join();

    assertThat(answer.provider()).isEqualTo("e");
    assertThat(answer.model()).isEqualTo("m5");
    assertThat(calls).containsExactly("a:m1", "b:m2", "c:m3", "d:m4", "e:m5");
  }

  @Test
  void theFirstModelThatAnswersEndsTheChain() {
    ProviderRouter router = router(answering("a"), answering("b"));
    assertThat(chain(router, "a:m", "b:m").join().provider()).isEqualTo("a");
    assertThat(calls).containsExactly("a:m");
  }

  @Test
  void neverFallsBackAfterARefusal() {
    ProviderException refused = new ProviderException(Kind.REFUSED, "bad request");
    ProviderRouter router = router(failing("a", refused), answering("b"));

    CompletableFuture<ProviderAnswer> result = chain(router, "a:m", "b:m");

    assertThat(failureOf(result)).isSameAs(refused);
    assertThat(calls).containsExactly("a:m");
  }

  @Test
  void doesNotFallBackWhenAConfiguredProviderDoesNotKnowTheModel() {
    ProviderRouter router =
        router(failing("a", new ProviderException(Kind.UNKNOWN_MODEL, "no such")), answering("b"));
    assertThat(kindOf(chain(router, "a:m", "b:m"))).isEqualTo(Kind.UNKNOWN_MODEL);
    assertThat(calls).containsExactly("a:m");
  }

  @Test
  void skipsModelsNoConfiguredProviderServes() {
    ProviderRouter router = router(answering("a"));
    assertThat(chain(router, "nope:m", "a:", "a:m").join().provider()).isEqualTo("a");
    assertThat(calls).containsExactly("a:m");
  }

  @Test
  void reportsTheLastFailureOfACalledProvider() {
    ProviderException busy = new ProviderException(Kind.RATE_LIMITED, "busy", 4);
    ProviderRouter router =
        router(failing("a", new ProviderException(Kind.ERROR, "down")), failing("b", busy));

    assertThat(failureOf(chain(router, "a:m", "b:m"))).isSameAs(busy);
    // An unknown model at the end of the chain does not hide why the others failed.
    assertThat(failureOf(chain(router, "a:m", "b:m", "nope:m"))).isSameAs(busy);
  }

  @Test
  void aChainOfOnlyUnknownModelsIsAnUnknownModel() {
    ProviderRouter router = router(answering("a"));
    assertThat(kindOf(chain(router, "nope:m", "other:m"))).isEqualTo(Kind.UNKNOWN_MODEL);
    assertThat(calls).isEmpty();
  }

  @Test
  void aTimeoutFallsBackWhileTimeRemains() {
    ProviderRouter router =
        router(
            new FakeProvider(
                "a",
                call -> {
                  nowMs.set(DEADLINE_MS - 1);
                  return CompletableFuture.failedFuture(
                      new ProviderException(Kind.TIMEOUT, "slow"));
                }),
            answering("b"));
    assertThat(chain(router, "a:m", "b:m").join().provider()).isEqualTo("b");
  }

  @Test
  void neverFallsBackOnceTheDeadlinePassed() {
    ProviderException timedOut = new ProviderException(Kind.TIMEOUT, "slow");
    ProviderRouter router =
        router(
            new FakeProvider(
                "a",
                call -> {
                  nowMs.set(DEADLINE_MS);
                  return CompletableFuture.failedFuture(timedOut);
                }),
            answering("b"));

    assertThat(failureOf(chain(router, "a:m", "b:m"))).isSameAs(timedOut);
    assertThat(calls).containsExactly("a:m");
  }

  @Test
  void aChainCutShortByTheDeadlineReportsATimeout() {
    ProviderRouter router =
        router(
            new FakeProvider(
                "a",
                call -> {
                  nowMs.set(DEADLINE_MS + 5);
                  return CompletableFuture.failedFuture(new ProviderException(Kind.ERROR, "down"));
                }),
            answering("b"));

    Throwable failure = failureOf(chain(router, "a:m", "b:m"));

    assertThat(((ProviderException) failure).kind()).isEqualTo(Kind.TIMEOUT);
    assertThat(calls).containsExactly("a:m");
  }

  @Test
  void theLastModelsFailureStandsEvenAfterTheDeadline() {
    ProviderException busy = new ProviderException(Kind.RATE_LIMITED, "busy", 2);
    ProviderRouter router =
        router(
            new FakeProvider(
                "a",
                call -> {
                  nowMs.set(DEADLINE_MS + 5);
                  return CompletableFuture.failedFuture(busy);
                }));
    assertThat(failureOf(chain(router, "a:m"))).isSameAs(busy);
  }

  @Test
  void withoutADeadlineEveryFallbackIsTried() {
    ProviderRouter router =
        router(failing("a", new ProviderException(Kind.TIMEOUT, "slow")), answering("b"));
    nowMs.set(Long.MAX_VALUE / 2);
    ProviderAnswer answer =
        router.complete("r1", List.of("a:m", "b:m"), REQUEST, 0).toCompletableFuture().join();
    assertThat(answer.provider()).isEqualTo("b");
  }

  @Test
  void cancellingTheCallCancelsTheAttemptAndTriesNoOtherModel() {
    FakeProvider a = pending("a");
    ProviderRouter router = router(a, answering("b"));

    CompletableFuture<ProviderAnswer> result = chain(router, "a:m", "b:m");
    assertThat(result).isNotDone();
    result.cancel(false);

    assertThat(a.stages).hasSize(1);
    assertThat(a.stages.get(0)).isCancelled();
    assertThat(calls).containsExactly("a:m");
  }

  @Test
  void aCallersTimeoutCancelsTheAttemptToo() {
    FakeProvider a = pending("a");
    ProviderRouter router = router(a, answering("b"));

    CompletableFuture<ProviderAnswer> result = chain(router, "a:m", "b:m");
    result.completeExceptionally(new TimeoutException());

    assertThat(a.stages.get(0)).isCancelled();
    assertThat(calls).containsExactly("a:m");
  }

  @Test
  void aLaterAttemptIsCancelledToo() {
    CompletableFuture<ProviderAnswer> first = new CompletableFuture<>();
    FakeProvider a = new FakeProvider("a", call -> first);
    FakeProvider b = pending("b");
    ProviderRouter router = router(a, b);

    CompletableFuture<ProviderAnswer> result = chain(router, "a:m", "b:m");
    first.completeExceptionally(new ProviderException(Kind.ERROR, "down"));
    assertThat(calls).containsExactly("a:m", "b:m");
    result.cancel(false);

    assertThat(b.stages.get(0)).isCancelled();
  }

  @Test
  void aProviderThatThrowsIsAFailureLikeAnyOther() {
    Provider throwing =
        new Provider() {
          @Override
          public String name() {
            return "a";
          }

          @Override
          public CompletionStage<ProviderAnswer> complete(ProviderCall call) {
            throw new IllegalStateException("adapter bug");
          }
        };
    ProviderRouter router = router(throwing, answering("b"));
    assertThat(chain(router, "a:m", "b:m").join().provider()).isEqualTo("b");
    assertThat(failureOf(chain(router, "a:m"))).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void anOpenCircuitFallsBackWithoutCallingItsProvider() {
    FakeProvider a = failing("a", new ProviderException(Kind.ERROR, "down"));
    CircuitBreakingProvider guarded =
        new CircuitBreakingProvider(a, new CircuitSettings(1, Duration.ofHours(1)));
    ProviderRouter router = router(guarded, answering("b"));

    assertThat(chain(router, "a:m", "b:m").join().provider()).isEqualTo("b");
    assertThat(chain(router, "a:m", "b:m").join().provider()).isEqualTo("b");

    assertThat(calls).containsExactly("a:m", "b:m", "b:m");
    Throwable failure = failureOf(chain(router, "a:m"));
    assertThat(((ProviderException) failure).kind()).isEqualTo(Kind.UNAVAILABLE);
    assertThat(((ProviderException) failure).retryAfterSeconds()).isPositive();
  }
}

package dev.sluice.pipeline;

import dev.sluice.egress.Provider;
import dev.sluice.egress.ProviderAnswer;
import dev.sluice.egress.ProviderCall;
import dev.sluice.schemas.chat.ChatMessage;
import dev.sluice.schemas.reply.Usage;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A provider the test drives: each call returns a future the test completes (or fails) when it
 * wants, from whichever thread it wants. Calls are recorded in order with the time they started.
 */
public final class ManualProvider implements Provider {
  public static final String NAME = "manual";

  /** One call the pipeline started. */
  public record Started(ProviderCall call, CompletableFuture<ProviderAnswer> answer, long atNanos) {
    public void answer(String text) {
      answer.complete(ManualProvider.answer(text));
    }
  }

  private final List<Started> calls = new CopyOnWriteArrayList<>();
  private final Function<ProviderCall, CompletableFuture<ProviderAnswer>> behaviour;

  /** Calls stay open until the test completes them. */
  public ManualProvider() {
    this(call -> new CompletableFuture<>());
  }

  /** Calls get whatever future {@code behaviour} returns (e.g. one already failed). */
  public ManualProvider(Function<ProviderCall, CompletableFuture<ProviderAnswer>> behaviour) {
    this.behaviour = behaviour;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public CompletionStage<ProviderAnswer> complete(ProviderCall call) {
    CompletableFuture<ProviderAnswer> future = behaviour.apply(call);
    calls.add(new Started(call, future, System.nanoTime()));
    return future;
  }

  public List<Started> calls() {
    return calls;
  }

  public Started call(int index) {
    return calls.get(index);
  }

  public static ProviderAnswer answer(String text) {
    return new ProviderAnswer(
        NAME, "manual-1", ChatMessage.of("assistant", text), "stop", Usage.of(3, 2));
  }
}

package dev.sluice.egress;

import dev.sluice.schemas.chat.ChatMessage;
import dev.sluice.schemas.reply.Usage;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The built-in {@code stub} model: answers {@code echo: <last user message>} with plausible usage,
 * after a configurable delay. It stands in for a real provider in local runs, tests and benchmarks;
 * a delayed answer is scheduled on one timer thread, never a thread per call, so it behaves like a
 * non-blocking HTTP client under load.
 */
public final class StubProvider implements Provider {
  public static final String NAME = "stub";

  private final long delayMs;
  private final ScheduledExecutorService timer;

  public StubProvider(long delayMs) {
    if (delayMs < 0) {
      throw new IllegalArgumentException("STUB_DELAY_MS must be >= 0");
    }
    this.delayMs = delayMs;
    this.timer =
        delayMs == 0
            ? null
            : Executors.newSingleThreadScheduledExecutor(
                runnable -> {
                  Thread thread = new Thread(runnable, "stub-provider-timer");
                  thread.setDaemon(true);
                  return thread;
                });
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public CompletionStage<ProviderAnswer> complete(ProviderCall call) {
    ProviderAnswer answer = answer(call);
    if (timer == null) {
      return CompletableFuture.completedFuture(answer);
    }
    CompletableFuture<ProviderAnswer> result = new CompletableFuture<>();
    timer.schedule(() -> result.complete(answer), delayMs, TimeUnit.MILLISECONDS);
    return result;
  }

  static ProviderAnswer answer(ProviderCall call) {
    String text = "echo: " + call.request().lastUserText();
    int promptChars = 0;
    for (ChatMessage message : call.request().messages()) {
      promptChars += message.text().length();
    }
    Usage usage = Usage.of(approximateTokens(promptChars), approximateTokens(text.length()));
    return new ProviderAnswer(NAME, NAME, ChatMessage.of("assistant", text), "stop", usage);
  }

  /** About four characters a token for English text, at least one token. */
  static int approximateTokens(int chars) {
    return Math.max(1, (chars + 3) / 4);
  }
}

package dev.sluice.egress;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.schemas.Json;
import dev.sluice.schemas.chat.ChatMessage;
import dev.sluice.schemas.chat.ChatRequest;
import dev.sluice.schemas.chat.ToolCall;
import dev.sluice.schemas.chat.ToolChoice;
import dev.sluice.schemas.reply.Usage;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The built-in {@code stub} model: answers {@code echo: <last user message>} with plausible usage,
 * after a configurable delay. When the request forces a tool ({@code tool_choice} naming a
 * function, or {@code required}) it calls that tool with {@code {"echo": <last user message>}}
 * instead. It stands in for a real provider in local runs, tests and benchmarks; a delayed answer
 * is scheduled on one timer thread, never a thread per call, so it behaves like a non-blocking HTTP
 * client under load.
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
    ChatRequest request = call.request();
    int promptChars = 0;
    for (ChatMessage message : request.messages()) {
      promptChars += message.text().length();
    }
    String forced = forcedFunction(request);
    if (forced != null) {
      // Tool calling, end to end without a real model: the forced function gets the user's text.
      ObjectNode arguments = Json.mapper().createObjectNode().put("echo", request.lastUserText());
      String json = arguments.toString();
      ToolCall toolCall = ToolCall.function("call_" + call.requestId(), forced, json);
      Usage usage = Usage.of(approximateTokens(promptChars), approximateTokens(json.length()));
      return new ProviderAnswer(
          NAME, NAME, ChatMessage.assistant(null, List.of(toolCall)), "tool_calls", usage);
    }
    String text = "echo: " + request.lastUserText();
    Usage usage = Usage.of(approximateTokens(promptChars), approximateTokens(text.length()));
    return new ProviderAnswer(NAME, NAME, ChatMessage.of("assistant", text), "stop", usage);
  }

  /**
   * The function the request forces: the one {@code tool_choice} names, or the first tool when it
   * is {@code required}; null when the stub should answer with text.
   */
  private static String forcedFunction(ChatRequest request) {
    ToolChoice choice = request.toolChoice();
    if (choice == null || request.tools() == null || request.tools().isEmpty()) {
      return null;
    }
    if (choice.functionName() != null) {
      return choice.functionName();
    }
    return ToolChoice.REQUIRED.equals(choice.mode())
        ? request.tools().get(0).function().name()
        : null;
  }

  /** About four characters a token for English text, at least one token. */
  static int approximateTokens(int chars) {
    return Math.max(1, (chars + 3) / 4);
  }
}

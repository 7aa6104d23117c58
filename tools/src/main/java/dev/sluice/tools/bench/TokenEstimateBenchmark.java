package dev.sluice.tools.bench;

import dev.sluice.pipeline.ratelimit.TokenEstimate;
import dev.sluice.schemas.chat.ChatMessage;
import dev.sluice.schemas.chat.ChatRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What counting a request's tokens before its provider call costs: a chat request of about {@code
 * size} characters (a system message, earlier turns, the question), counted for an {@code
 * o200k_base} model, a {@code cl100k_base} one and an estimated one, on one thread. JMH reports
 * operations per second. Run with {@code java -jar tools/target/benchmarks.jar
 * TokenEstimateBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class TokenEstimateBenchmark {
  private static final String SYSTEM =
      "You are the support assistant of an online bookshop. Answer in the customer's language,"
          + " briefly, and cite the order number when you refer to an order. Never promise a"
          + " refund; say that a colleague will review the request within two working days.";

  private static final List<String> TURNS =
      List.of(
          "Hi, my order 48213 arrived yesterday but one of the three books is missing.",
          "I'm sorry to hear that. Order 48213 lists three books; which one is missing, and was"
              + " the parcel damaged?",
          "The parcel was fine. The missing one is the second edition of the Kafka Streams"
              + " book, the others (the Java one and the SQL one) are there.",
          "Thank you. I have noted that the Kafka Streams book (second edition) is missing from"
              + " order 48213. A colleague will check the warehouse record.",
          "Can you also tell me whether I can still change the delivery address for order 48377?"
              + " I'm moving next week and would rather have it sent to my office.");

  @Param({"openai:gpt-4o-mini", "openai:gpt-4", "anthropic:claude-haiku-4-5"})
  public String model;

  @Param({"1024", "16384"})
  public int size;

  private TokenEstimate tokens;
  private ChatRequest request;

  @Setup(Level.Trial)
  public void setUp() {
    tokens = new TokenEstimate();
    request = request(model, size);
    int chars = 0;
    int bytes = 0;
    for (ChatMessage message : request.messages()) {
      chars += message.text().length();
      bytes += message.text().getBytes(StandardCharsets.UTF_8).length;
    }
    System.out.printf(
        "%n# request: %d messages, %d chars, %d UTF-8 bytes, %d prompt tokens%n",
        request.messages().size(), chars, bytes, tokens.promptTokens(request));
  }

  /** A system message, then turns until about {@code size} characters, ending on a user's. */
  static ChatRequest request(String model, int size) {
    List<ChatMessage> messages = new ArrayList<>();
    messages.add(ChatMessage.of("system", SYSTEM));
    int chars = SYSTEM.length();
    int turn = 0;
    while (chars < size || turn % 2 == 0) {
      String text = TURNS.get(turn % TURNS.size());
      messages.add(ChatMessage.of(turn % 2 == 0 ? "user" : "assistant", text));
      chars += text.length();
      turn++;
    }
    return new ChatRequest(model, messages, null, null, null, null, null, null);
  }

  @Benchmark
  public int reservation() {
    return tokens.reservation(request, 4_096);
  }
}

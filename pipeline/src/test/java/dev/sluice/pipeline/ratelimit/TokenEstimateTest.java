package dev.sluice.pipeline.ratelimit;

import static dev.sluice.pipeline.StageRequests.chat;
import static dev.sluice.pipeline.StageRequests.user;
import static dev.sluice.pipeline.StageRequests.verified;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.pipeline.chain.Exchange;
import dev.sluice.pipeline.chain.Verdict;
import dev.sluice.pipeline.firewall.spotlight.Spotlight;
import dev.sluice.pipeline.firewall.spotlight.SpotlightContext;
import dev.sluice.pipeline.firewall.spotlight.SpotlightMode;
import dev.sluice.pipeline.ratelimit.TokenEstimate.Counting;
import dev.sluice.pipeline.validation.ValidationLimits;
import dev.sluice.schemas.Json;
import dev.sluice.schemas.chat.ChatMessage;
import dev.sluice.schemas.chat.ChatRequest;
import dev.sluice.schemas.chat.ContentPart;
import dev.sluice.schemas.chat.FunctionDefinition;
import dev.sluice.schemas.chat.RagChunk;
import dev.sluice.schemas.chat.RagContext;
import dev.sluice.schemas.chat.Tool;
import dev.sluice.schemas.chat.ToolCall;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Counts against figures OpenAI documents (its cookbook, "How to count tokens with tiktoken", whose
 * chat examples it checked against the API's {@code usage}), the estimate against the real
 * encodings on real prompts, and hostile text.
 */
class TokenEstimateTest {
  private final TokenEstimate tokens = new TokenEstimate();

  @Test
  void modelsAreCountedByTheirFamilysEncoding() {
    assertThat(Counting.of("openai:gpt-4o-mini")).isEqualTo(Counting.O200K_BASE);
    assertThat(Counting.of("openai:gpt-4.1-nano")).isEqualTo(Counting.O200K_BASE);
    assertThat(Counting.of("openai:gpt-5")).isEqualTo(Counting.O200K_BASE);
    assertThat(Counting.of("openai:o3-mini")).isEqualTo(Counting.O200K_BASE);
    assertThat(Counting.of("openai:o1")).isEqualTo(Counting.O200K_BASE);
    assertThat(Counting.of("openai:ft:gpt-4o-mini:org::a1")).isEqualTo(Counting.O200K_BASE);
    assertThat(Counting.of("azure:GPT-4o")).isEqualTo(Counting.O200K_BASE);
    assertThat(Counting.of("router:openai/gpt-4o")).isEqualTo(Counting.O200K_BASE);
    assertThat(Counting.of("gpt-4o")).isEqualTo(Counting.O200K_BASE);
    assertThat(Counting.of("openai:gpt-4-turbo")).isEqualTo(Counting.CL100K_BASE);
    assertThat(Counting.of("openai:gpt-4")).isEqualTo(Counting.CL100K_BASE);
    assertThat(Counting.of("openai:gpt-3.5-turbo")).isEqualTo(Counting.CL100K_BASE);
    assertThat(Counting.of("azure:gpt-35-turbo")).isEqualTo(Counting.CL100K_BASE);
    assertThat(Counting.of("anthropic:claude-haiku-4-5")).isEqualTo(Counting.ESTIMATED);
    assertThat(Counting.of("azure:prod")).isEqualTo(Counting.ESTIMATED);
    assertThat(Counting.of("stub")).isEqualTo(Counting.ESTIMATED);
  }

  @Test
  void textIsCountedAsTheCookbookShows() {
    // "tiktoken is great!" is [83, 1609, 5963, 374, 2294, 0] in cl100k_base and
    // [83, 8251, 2488, 382, 2212, 0] in o200k_base.
    assertThat(tokens.textTokens("openai:gpt-4", "tiktoken is great!")).isEqualTo(6);
    assertThat(tokens.textTokens("openai:gpt-4o", "tiktoken is great!")).isEqualTo(6);
    assertThat(tokens.textTokens("openai:gpt-4", "antidisestablishmentarianism")).isEqualTo(6);
    assertThat(tokens.textTokens("openai:gpt-4o", "antidisestablishmentarianism")).isEqualTo(6);
    assertThat(tokens.textTokens("openai:gpt-4", "2 + 2 = 4")).isEqualTo(7);
    assertThat(tokens.textTokens("openai:gpt-4", "お誕生日おめでとう")).isEqualTo(9);
    assertThat(tokens.textTokens("openai:gpt-4o", "お誕生日おめでとう")).isEqualTo(8);
    assertThat(tokens.textTokens("openai:gpt-4o", "")).isZero();
  }

  @Test
  void aConversationCountsAsTheApiCountedIt() {
    List<ChatMessage> messages =
        List.of(
            ChatMessage.of(
                "system",
                "You are a helpful, pattern-following assistant that translates corporate jargon"
                    + " into plain English."),
            named("example_user", "New synergies will help drive top-line growth."),
            named("example_assistant", "Things working well together will increase revenue."),
            named(
                "example_user",
                "Let's circle back when we have more bandwidth to touch base on opportunities for"
                    + " increased leverage."),
            named(
                "example_assistant",
                "Let's talk later when we're less busy about how to do better."),
            ChatMessage.of(
                "user",
                "This late pivot means we don't have time to boil the ocean for the client"
                    + " deliverable."));

    assertThat(tokens.promptTokens(chat("openai:gpt-4", messages, null, null))).isEqualTo(129);
    assertThat(tokens.promptTokens(chat("openai:gpt-3.5-turbo", messages, null, null)))
        .isEqualTo(129);
    assertThat(tokens.promptTokens(chat("openai:gpt-4o", messages, null, null))).isEqualTo(124);
    assertThat(tokens.promptTokens(chat("openai:gpt-4o-mini", messages, null, null)))
        .isEqualTo(124);
  }

  @Test
  void aToolDefinitionCountsAsTheApiCountedIt() throws IOException {
    JsonNode parameters =
        Json.mapper()
            .readTree(
                """
                {"type": "object",
                 "properties": {
                   "location": {"type": "string",
                                "description": "The city and state, e.g. San Francisco, CA"},
                   "unit": {"type": "string", "description": "The unit of temperature to return",
                            "enum": ["celsius", "fahrenheit"]}},
                 "required": ["location"]}
                """);
    List<Tool> weather =
        List.of(
            Tool.function(
                new FunctionDefinition(
                    "get_current_weather",
                    "Get the current weather in a given location",
                    parameters,
                    null)));
    List<ChatMessage> messages =
        List.of(
            ChatMessage.of(
                "system",
                "You are a helpful assistant that can answer to questions about the weather."),
            ChatMessage.of("user", "What's the weather like in San Francisco?"));

    assertThat(tokens.promptTokens(withTools("openai:gpt-4", messages, weather))).isEqualTo(105);
    assertThat(tokens.promptTokens(withTools("openai:gpt-4o", messages, weather))).isEqualTo(101);
  }

  @Test
  void nestedToolSchemasAndToolCallsCountMore() throws IOException {
    JsonNode flat =
        Json.mapper()
            .readTree(
                "{\"type\":\"object\",\"properties\":{\"q\":{\"type\":\"string\","
                    + "\"description\":\"query\"}}}");
    JsonNode nested =
        Json.mapper()
            .readTree(
                "{\"type\":\"object\",\"properties\":{\"q\":{\"type\":\"object\","
                    + "\"description\":\"query\",\"properties\":{\"text\":{\"type\":\"string\"},"
                    + "\"lang\":{\"type\":\"string\"}}}},\"additionalProperties\":false}");
    List<ChatMessage> ask = user("find it");

    int flatCount = tokens.promptTokens(withTools("openai:gpt-4o", ask, search(flat)));
    int nestedCount = tokens.promptTokens(withTools("openai:gpt-4o", ask, search(nested)));
    assertThat(nestedCount).isGreaterThan(flatCount);

    List<ChatMessage> called =
        List.of(
            ChatMessage.of("user", "find it"),
            ChatMessage.assistant(
                null, List.of(ToolCall.function("call_1", "search", "{\"q\":\"kafka streams\"}"))),
            new ChatMessage(
                "tool", List.of(ContentPart.text("3 results")), true, null, null, "call_1"));
    assertThat(tokens.promptTokens(chat("openai:gpt-4o", called, null, null)))
        .isGreaterThan(tokens.promptTokens(chat("openai:gpt-4o", ask, null, null)) + 10);
  }

  @Test
  void contentPartsCountLikeTheSameTextAsOneString() {
    ChatMessage parts =
        new ChatMessage(
            "user",
            List.of(
                ContentPart.text("tiktoken is great!"), ContentPart.text(" tiktoken is great!")),
            false,
            null);
    ChatMessage string = ChatMessage.of("user", "tiktoken is great! tiktoken is great!");
    assertThat(tokens.promptTokens(chat("openai:gpt-4o", List.of(parts), null, null)))
        .isEqualTo(tokens.promptTokens(chat("openai:gpt-4o", List.of(string), null, null)));
  }

  @Test
  void contextChunksAreCountedAndCoverTheDocumentsTheProviderIsSent() {
    RagContext context =
        new RagContext(
            "wiki",
            List.of(
                new RagChunk("doc-1", "Kafka Streams keeps state in local stores.", null),
                new RagChunk(
                    "doc-2",
                    "A changelog topic restores a store after a restart.\nEach task owns its"
                        + " partitions.",
                    "handbook")));
    ChatRequest without = chat("openai:gpt-4o", user("How is state restored?"), null, null);
    ChatRequest with = chat("openai:gpt-4o", user("How is state restored?"), null, context);
    int request = tokens.promptTokens(with);
    assertThat(request).isGreaterThan(tokens.promptTokens(without) + 2 * TokenEstimate.PER_CHUNK);

    for (SpotlightMode mode : List.of(SpotlightMode.OFF, SpotlightMode.DELIMIT)) {
      Exchange built = spotlighted(with, mode);
      // The documents message, and with markers an instruction in a new system message.
      assertThat(built.providerMessages()).hasSize(mode == SpotlightMode.OFF ? 2 : 3);
      int sent = tokens.promptTokens(built);
      // Counted once, from the built conversation; what the request's count reserved covers it.
      assertThat(sent).isLessThanOrEqualTo(request).isGreaterThan(tokens.promptTokens(without));
    }
    Exchange datamarked = spotlighted(with, SpotlightMode.DATAMARK);
    assertThat(tokens.promptTokens(datamarked))
        .isGreaterThan(tokens.promptTokens(spotlighted(with, SpotlightMode.DELIMIT)));
    assertThat(tokens.promptTokens(Exchange.of(verified("acme", "u", with)))).isEqualTo(request);
  }

  @Test
  void aReservationAddsTheCompletionCap() {
    ChatRequest asked = chat("openai:gpt-4o", user("tiktoken is great!"), 256, null);
    ChatRequest unset = chat("openai:gpt-4o", user("tiktoken is great!"), null, null);
    int prompt = 3 + 1 + 6 + 3;
    assertThat(tokens.promptTokens(asked)).isEqualTo(prompt);
    assertThat(tokens.reservation(asked, 4096)).isEqualTo(prompt + 256);
    assertThat(tokens.reservation(unset, 4096)).isEqualTo(prompt + 4096);
    assertThat(tokens.reservation(unset, 0)).isEqualTo(prompt);
    assertThat(tokens.reservation(Exchange.of(verified("acme", "u", asked)), 4096))
        .isEqualTo(prompt + 256);
    assertThat(tokens.reservation(chat("openai:gpt-4o", user("x"), Integer.MAX_VALUE, null), 1))
        .isEqualTo(Integer.MAX_VALUE);
    assertThatThrownBy(() -> tokens.reservation(unset, -1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theEstimateForOtherModelsIsNeverBelowEitherEncodingOnRealPrompts() throws IOException {
    List<String> prompts = samplePrompts();
    assertThat(prompts).hasSizeGreaterThanOrEqualTo(20);
    for (String prompt : prompts) {
      int o200k = tokens.promptTokens(chat("openai:gpt-4o", user(prompt), null, null));
      int cl100k = tokens.promptTokens(chat("openai:gpt-4", user(prompt), null, null));
      for (String model : List.of("anthropic:claude-haiku-4-5", "azure:prod", "stub")) {
        int estimate = tokens.promptTokens(chat(model, user(prompt), null, null));
        assertThat(estimate)
            .as("estimate for a %d-character prompt", prompt.length())
            .isGreaterThanOrEqualTo(Math.max(o200k, cl100k));
        assertThat(tokens.textTokens(model, prompt))
            .isGreaterThanOrEqualTo(
                Math.max(
                    tokens.textTokens("openai:gpt-4o", prompt),
                    tokens.textTokens("openai:gpt-4", prompt)));
      }
    }
  }

  @Test
  void hostileTextIsCountedWithoutThrowing() {
    // A quarter of a MiB: long enough to show a run without spaces is counted in linear time.
    String mega = "a".repeat(1 << 18);
    List<String> hostile =
        List.of(
            mega,
            " ".repeat(1 << 18),
            "\n".repeat(1 << 16),
            "\uD83D\uDE00".repeat(1 << 16),
            "\uD83D\uDC69\u200D\uD83D\uDC69\u200D\uD83D\uDC67".repeat(1 << 12),
            "\uD800".repeat(1 << 12),
            "\uDC00x\uD800".repeat(1 << 12),
            "<|endoftext|><|im_start|>system<|im_end|>".repeat(64),
            "\u0000\u202E\uFEFF".repeat(1 << 12),
            "é".repeat(1 << 16));
    for (String model : List.of("openai:gpt-4o", "openai:gpt-4", "anthropic:claude-haiku-4-5")) {
      for (String text : hostile) {
        int counted = tokens.promptTokens(chat(model, user(text), null, null));
        assertThat(counted).isPositive();
      }
    }
    // One token per 8 a's in both encodings; the estimate is a quarter more.
    assertThat(tokens.textTokens("openai:gpt-4o", mega)).isEqualTo((1 << 18) / 8);
    assertThat(tokens.textTokens("anthropic:claude-haiku-4-5", mega))
        .isEqualTo((1 << 18) / 8 * 5 / 4);
  }

  @Test
  void unpairedSurrogatesAreCountedAsReplacementCharacters() {
    assertThat(TokenEstimate.wellFormed("ok \uD83D\uDE00")).isEqualTo("ok \uD83D\uDE00");
    assertThat(TokenEstimate.wellFormed("a\uD800b\uDC00\uD83D")).isEqualTo("a\uFFFDb\uFFFD\uFFFD");
    assertThat(tokens.textTokens("openai:gpt-4o", "a\uD800b"))
        .isEqualTo(tokens.textTokens("openai:gpt-4o", "a\uFFFDb"));
  }

  @Test
  void randomTextNeverThrowsAndGrowsWithTheText() {
    Random random = new Random(11);
    for (int round = 0; round < 300; round++) {
      StringBuilder text = new StringBuilder();
      int length = 1 + random.nextInt(400);
      for (int i = 0; i < length; i++) {
        // Any UTF-16 unit, lone surrogates included.
        text.append((char) random.nextInt(Character.MAX_VALUE + 1));
      }
      String model = random.nextBoolean() ? "openai:gpt-4o" : "openai:gpt-4";
      int once = tokens.textTokens(model, text.toString());
      int twice = tokens.textTokens(model, text.toString() + text);
      assertThat(once).isPositive();
      assertThat(twice).isGreaterThanOrEqualTo(once);
    }
  }

  @Test
  void countsAgreeAcrossThreads() throws Exception {
    List<String> prompts = samplePrompts();
    List<Integer> expected = new ArrayList<>();
    for (String prompt : prompts) {
      expected.add(tokens.textTokens("openai:gpt-4o", prompt));
    }
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<List<Integer>>> results = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        TokenEstimate own = new TokenEstimate();
        results.add(
            pool.submit(
                () -> {
                  List<Integer> counted = new ArrayList<>();
                  for (int round = 0; round < 20; round++) {
                    counted.clear();
                    for (String prompt : prompts) {
                      counted.add(own.textTokens("openai:gpt-4o", prompt));
                    }
                  }
                  return counted;
                }));
      }
      for (Future<List<Integer>> result : results) {
        assertThat(result.get()).isEqualTo(expected);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * Twenty prompts from the development sets (InjecGuard, WildGuard, JailbreakBench, Presidio's
   * generated set, BIPIA; all MIT): benign and attack prompts, GCG-style suffixes, Greek and
   * accented addresses, Chinese, homoglyph text, code and e-mail contexts.
   */
  private static List<String> samplePrompts() throws IOException {
    List<String> prompts = new ArrayList<>();
    try (BufferedReader lines =
        new BufferedReader(
            new InputStreamReader(
                Objects.requireNonNull(
                    TokenEstimateTest.class.getResourceAsStream("/ratelimit/sample-prompts.jsonl")),
                StandardCharsets.UTF_8))) {
      String line;
      while ((line = lines.readLine()) != null) {
        prompts.add(Json.mapper().readTree(line).get("text").textValue());
      }
    }
    return prompts;
  }

  private static Exchange spotlighted(ChatRequest request, SpotlightMode mode) {
    SpotlightContext stage =
        new SpotlightContext(
            tenant -> mode,
            tenant -> new ValidationLimits(64, 32_000, 4_096),
            Spotlight.randomBoundaries());
    Verdict verdict = stage.run(Exchange.of(verified("acme", "u", request)), 0);
    assertThat(verdict).isInstanceOf(Verdict.Next.class);
    return ((Verdict.Next) verdict).exchange();
  }

  private static ChatMessage named(String name, String text) {
    return new ChatMessage("system", List.of(ContentPart.text(text)), true, name);
  }

  private static List<Tool> search(JsonNode parameters) {
    return List.of(Tool.function(new FunctionDefinition("search", "Search.", parameters, null)));
  }

  private static ChatRequest withTools(String model, List<ChatMessage> messages, List<Tool> tools) {
    return new ChatRequest(model, messages, null, null, null, null, null, null, tools, null, null);
  }
}

package dev.sluice.pipeline.ratelimit;

import com.fasterxml.jackson.databind.JsonNode;
import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingRegistry;
import com.knuddels.jtokkit.api.EncodingType;
import dev.sluice.pipeline.chain.Exchange;
import dev.sluice.schemas.chat.ChatMessage;
import dev.sluice.schemas.chat.ChatRequest;
import dev.sluice.schemas.chat.ContentPart;
import dev.sluice.schemas.chat.FunctionDefinition;
import dev.sluice.schemas.chat.RagChunk;
import dev.sluice.schemas.chat.RagContext;
import dev.sluice.schemas.chat.Tool;
import dev.sluice.schemas.chat.ToolCall;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * How many tokens a request is to reserve before its provider call: its prompt, counted as the
 * provider will count it, plus the most it may be answered with. The reservation is settled with
 * the provider's {@code usage} afterwards, so an estimate only has to err on the high side.
 *
 * <p>OpenAI-family models are counted with their own encoding ({@code o200k_base} for gpt-4o,
 * gpt-4.1, gpt-4.5, gpt-5 and the o-series, {@code cl100k_base} for gpt-4 and gpt-3.5), the way
 * OpenAI's cookbook counts chat messages: 3 tokens per message, the role, the content, a name and 1
 * more for it, and 3 priming the reply; tool definitions with the cookbook's per-function and
 * per-property constants. The cookbook's own examples are this class's tests (129 and 124 tokens,
 * 105 and 101 with a tool, as the API reported them).
 *
 * <p>Every other model (Anthropic, an Azure deployment whose name is no OpenAI model name, a local
 * one) is estimated: the same count in {@code cl100k_base} plus a quarter, rounded up. Measured on
 * the 4,446 texts of the repository's development sets (prompts, attacks, PII sentences, BIPIA
 * contexts), it is never below the larger of the two encodings' counts (at least 1.10 times it,
 * 1.25 times on average). A character rule is not conservative: {@code ceil(UTF-8 bytes / 4)} is
 * below that count for 31% of the texts and {@code chars / 3.5} for 18% (Greek addresses, digit
 * runs and homoglyph text cost far more than a token per four bytes); the byte rule that is almost
 * never below, bytes / 2, still misses 8 texts while reserving 2.26 times the tokens on average. A
 * tokenizer plus a margin follows the text's language and shape, and the quarter leaves room for
 * tokenizers coarser than {@code cl100k_base}; settlement corrects the rest.
 *
 * <p>Retrieval context is part of the prompt: the gateway sends the chunks to the model as
 * documents in a message of their own, with its boundary markers around each chunk and an
 * instruction about them in the system message ({@code SpotlightContext}). A request whose
 * conversation was not built yet counts each chunk's text, id and source plus the markers' measured
 * cost; once it is built ({@link #promptTokens(Exchange)}), the conversation itself is counted,
 * which is exact also when datamarking (twice the tokens of the plain text in {@code cl100k_base},
 * 1.6 times in {@code o200k_base}, on BIPIA's contexts) or stripped hidden text changed it. So a
 * stage placed after {@code SpotlightContext} reserves what is sent; one placed before it
 * under-reserves a datamarking tenant's chunks until settlement.
 *
 * <p>Thread-safe and cheap to share: the two encodings are loaded once per process (about a second
 * on the 2-core build machine, by the first instance); jtokkit's encodings keep no state between
 * calls (rank maps built once and only read, a matcher and lists per call). A 1 KB request costs
 * tens of microseconds ({@code TokenEstimateBenchmark}); hostile text (a megabyte of one accented
 * letter, of newlines, of emoji) up to a few microseconds per character, linearly. Text is counted
 * as ordinary text: a prompt that spells {@code <|endoftext|>} is counted as the characters it is,
 * where jtokkit's {@code countTokens} would throw.
 */
public final class TokenEstimate {
  /** How a model's tokens are counted. */
  public enum Counting {
    /** Exactly, in OpenAI's {@code o200k_base}. */
    O200K_BASE,
    /** Exactly, in OpenAI's {@code cl100k_base}. */
    CL100K_BASE,
    /** Estimated: {@code cl100k_base} plus a quarter. */
    ESTIMATED;

    /**
     * How a resolved model is counted. The provider prefix ({@code openai:}, {@code azure:}) and a
     * fine-tune's {@code ft:} are skipped, as is an aggregator's {@code openai/}.
     */
    public static Counting of(String model) {
      String name = model;
      int colon = name.indexOf(':');
      if (colon >= 0) {
        name = name.substring(colon + 1);
      }
      if (name.startsWith("ft:")) {
        name = name.substring(3);
      }
      name = name.substring(name.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
      for (String prefix : O200K_MODELS) {
        if (name.startsWith(prefix)) {
          return O200K_BASE;
        }
      }
      for (String prefix : CL100K_MODELS) {
        if (name.startsWith(prefix)) {
          return CL100K_BASE;
        }
      }
      return ESTIMATED;
    }
  }

  // tiktoken's model-to-encoding table, by prefix. Order matters: gpt-4o before gpt-4.
  private static final List<String> O200K_MODELS =
      List.of("gpt-4o", "chatgpt-4o", "gpt-4.1", "gpt-4.5", "gpt-5", "gpt-oss", "o1", "o3", "o4");
  private static final List<String> CL100K_MODELS =
      List.of("gpt-4", "gpt-3.5", "gpt-35", "text-embedding-3", "text-embedding-ada-002");

  // OpenAI's cookbook, "How to count tokens with tiktoken", checked there against the API.
  private static final int PER_MESSAGE = 3;
  private static final int PER_NAME = 1;
  private static final int REPLY_PRIMING = 3;
  private static final int PER_FUNCTION_O200K = 7;
  private static final int PER_FUNCTION_CL100K = 10;
  private static final int PER_PROPERTY_LIST = 3;
  private static final int PER_PROPERTY = 3;
  private static final int PER_ENUM = -3;
  private static final int PER_ENUM_ITEM = 3;
  private static final int AFTER_FUNCTIONS = 12;

  // Not documented by OpenAI: an assistant's tool call is counted as its id, name and arguments
  // with a message's framing.
  private static final int PER_TOOL_CALL = 3;

  // Measured on the markers SpotlightContext writes (500 random boundaries, both encodings, the
  // largest count, rounded up): the instruction in its longest (datamark) form as a new system
  // message, plus the documents message and its heading; and one chunk's two marker lines without
  // its id and source, which are counted.
  static final int CONTEXT_OVERHEAD = 232;
  static final int PER_CHUNK = 64;

  // The estimate for other models: cl100k_base, plus a quarter.
  private static final int ESTIMATE_QUARTERS = 5;

  /**
   * Shares the process's encodings; the first instance loads them, so that wiring pays for it and
   * not the first request on a stream thread.
   */
  public TokenEstimate() {
    Objects.requireNonNull(Loaded.O200K_BASE, "o200k_base");
  }

  /**
   * The tokens of the request's prompt as the model will see it: its messages, its tool
   * definitions, and its retrieval context's chunks. Never negative; saturates at {@link
   * Integer#MAX_VALUE}.
   */
  public int promptTokens(ChatRequest request) {
    return prompt(request.model(), request.messages(), request.tools(), request.context());
  }

  /**
   * The tokens of what the provider is sent: the conversation a stage built when there is one (its
   * documents are the context, so the context is not counted again), else the request as {@link
   * #promptTokens(ChatRequest)} counts it.
   */
  public int promptTokens(Exchange exchange) {
    ChatRequest request = exchange.request().request();
    if (exchange.providerMessages() == null) {
      return promptTokens(request);
    }
    return prompt(request.model(), exchange.providerMessages(), request.tools(), null);
  }

  /**
   * The tokens of one text for a model, without a message's framing: for a completion whose
   * provider reported no {@code usage}, say.
   */
  public int textTokens(String model, String text) {
    Counting counting = Counting.of(model);
    return finish(counting, count(encoding(counting), text));
  }

  /**
   * What a call reserves: its prompt tokens plus the completion it may produce.
   *
   * @param defaultMaxTokens the completion cap when the request sets none (the model's or the
   *     gateway's default)
   */
  public int reservation(ChatRequest request, int defaultMaxTokens) {
    return saturated((long) promptTokens(request) + completionCap(request, defaultMaxTokens));
  }

  /** What the call in an exchange reserves, counting what the provider is sent. */
  public int reservation(Exchange exchange, int defaultMaxTokens) {
    return saturated(
        (long) promptTokens(exchange)
            + completionCap(exchange.request().request(), defaultMaxTokens));
  }

  /**
   * The most a request may be answered with: its {@code max_tokens} (or {@code
   * max_completion_tokens}, which arrives as the same field) or the default.
   */
  public static int completionCap(ChatRequest request, int defaultMaxTokens) {
    if (defaultMaxTokens < 0) {
      throw new IllegalArgumentException("the default completion cap is negative");
    }
    Integer asked = request.maxTokens();
    return asked == null ? defaultMaxTokens : Math.max(0, asked);
  }

  private static int prompt(
      String model, List<ChatMessage> messages, List<Tool> tools, RagContext context) {
    Counting counting = Counting.of(model);
    Encoding encoding = encoding(counting);
    return finish(
        counting,
        messages(encoding, messages)
            + tools(encoding, counting, tools)
            + context(encoding, context));
  }

  private static Encoding encoding(Counting counting) {
    return counting == Counting.O200K_BASE ? Loaded.O200K_BASE : Loaded.CL100K_BASE;
  }

  /** The count for the model: exact for OpenAI's, a quarter more for the others. */
  private static int finish(Counting counting, long tokens) {
    return saturated(
        counting == Counting.ESTIMATED ? (tokens * ESTIMATE_QUARTERS + 3) / 4 : tokens);
  }

  private static long messages(Encoding encoding, List<ChatMessage> messages) {
    long tokens = REPLY_PRIMING;
    for (ChatMessage message : messages) {
      tokens += PER_MESSAGE + count(encoding, message.role());
      for (ContentPart part : message.content()) {
        tokens += count(encoding, part.text());
      }
      if (message.name() != null) {
        tokens += count(encoding, message.name()) + PER_NAME;
      }
      for (ToolCall call : message.toolCalls()) {
        tokens +=
            PER_TOOL_CALL
                + count(encoding, call.id())
                + count(encoding, call.function().name())
                + count(encoding, call.function().arguments());
      }
      if (message.toolCallId() != null) {
        tokens += count(encoding, message.toolCallId());
      }
    }
    return tokens;
  }

  /**
   * Tool definitions as the cookbook counts them: per function, its name and description; per
   * top-level property, its name, type and description, and its enum's items. What the cookbook
   * does not cover (nested schemas, other keywords) is counted as its JSON text, which is longer
   * than the form OpenAI renders it in.
   */
  private static long tools(Encoding encoding, Counting counting, List<Tool> tools) {
    if (tools == null || tools.isEmpty()) {
      return 0;
    }
    int perFunction = counting == Counting.O200K_BASE ? PER_FUNCTION_O200K : PER_FUNCTION_CL100K;
    long tokens = AFTER_FUNCTIONS;
    for (Tool tool : tools) {
      FunctionDefinition function = tool.function();
      tokens += perFunction;
      String description = function.description();
      tokens +=
          count(
              encoding,
              description == null
                  ? function.name()
                  : function.name() + ":" + withoutFinalDot(description));
      tokens += parameters(encoding, function.parameters());
    }
    return tokens;
  }

  private static long parameters(Encoding encoding, JsonNode parameters) {
    if (parameters == null || !parameters.isObject()) {
      return parameters == null ? 0 : count(encoding, parameters.toString());
    }
    long tokens = 0;
    for (Map.Entry<String, JsonNode> keyword : parameters.properties()) {
      String name = keyword.getKey();
      JsonNode value = keyword.getValue();
      if (name.equals("properties") && value.isObject()) {
        tokens += properties(encoding, value);
      } else if (!name.equals("type") && !name.equals("required")) {
        tokens += count(encoding, name) + count(encoding, value.toString());
      }
    }
    return tokens;
  }

  private static long properties(Encoding encoding, JsonNode properties) {
    if (properties.isEmpty()) {
      return 0;
    }
    long tokens = PER_PROPERTY_LIST;
    for (Map.Entry<String, JsonNode> property : properties.properties()) {
      tokens += PER_PROPERTY;
      JsonNode schema = property.getValue();
      String type = "";
      String description = "";
      for (Map.Entry<String, JsonNode> keyword : schema.properties()) {
        JsonNode value = keyword.getValue();
        switch (keyword.getKey()) {
          case "type" -> type = value.isTextual() ? value.textValue() : value.toString();
          case "description" -> description = value.isTextual() ? value.textValue() : "";
          case "enum" -> tokens += enumeration(encoding, value);
          default ->
              tokens += count(encoding, keyword.getKey()) + count(encoding, value.toString());
        }
      }
      tokens +=
          count(encoding, property.getKey() + ":" + type + ":" + withoutFinalDot(description));
    }
    return tokens;
  }

  private static long enumeration(Encoding encoding, JsonNode items) {
    if (!items.isArray()) {
      return count(encoding, items.toString());
    }
    long tokens = PER_ENUM;
    for (JsonNode item : items) {
      tokens +=
          PER_ENUM_ITEM + count(encoding, item.isTextual() ? item.textValue() : item.toString());
    }
    return tokens;
  }

  private static long context(Encoding encoding, RagContext context) {
    if (context == null || context.chunks().isEmpty()) {
      return 0;
    }
    long tokens = CONTEXT_OVERHEAD;
    for (RagChunk chunk : context.chunks()) {
      tokens += PER_CHUNK + count(encoding, chunk.content()) + count(encoding, chunk.id());
      String source = context.sourceOf(chunk);
      if (source != null) {
        tokens += count(encoding, source);
      }
    }
    return tokens;
  }

  private static String withoutFinalDot(String text) {
    return text.endsWith(".") ? text.substring(0, text.length() - 1) : text;
  }

  private static int count(Encoding encoding, String text) {
    return text.isEmpty() ? 0 : encoding.countTokensOrdinary(wellFormed(text));
  }

  /**
   * The text with each unpaired surrogate as U+FFFD. An unpaired surrogate has no UTF-8 form (it
   * cannot reach the provider as it is), JSON lets a caller send one escaped, and jtokkit asserts
   * that its input is well-formed (an {@link AssertionError} under {@code -ea}). Copied only when
   * there is one.
   */
  static String wellFormed(String text) {
    int bad = firstUnpaired(text, 0);
    if (bad < 0) {
      return text;
    }
    StringBuilder fixed = new StringBuilder(text.length());
    int from = 0;
    while (bad >= 0) {
      fixed.append(text, from, bad).append('\ufffd');
      from = bad + 1;
      bad = firstUnpaired(text, from);
    }
    return fixed.append(text, from, text.length()).toString();
  }

  private static int firstUnpaired(String text, int from) {
    for (int i = from; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < text.length()
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return i;
      }
    }
    return -1;
  }

  private static int saturated(long tokens) {
    return (int) Math.min(Integer.MAX_VALUE, Math.max(0, tokens));
  }

  /** The encodings, loaded by the first instance: their rank files, read once per process. */
  private static final class Loaded {
    private static final Encoding O200K_BASE;
    private static final Encoding CL100K_BASE;

    static {
      EncodingRegistry registry = Encodings.newLazyEncodingRegistry();
      O200K_BASE = registry.getEncoding(EncodingType.O200K_BASE);
      CL100K_BASE = registry.getEncoding(EncodingType.CL100K_BASE);
    }

    private Loaded() {}
  }
}

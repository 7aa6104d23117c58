package dev.sluice.egress.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.schemas.chat.Annotation;
import dev.sluice.schemas.chat.Annotation.UrlCitation;
import dev.sluice.schemas.reply.ChoiceLogprobs;
import dev.sluice.schemas.reply.TokenLogprob;
import java.util.ArrayList;
import java.util.List;

/**
 * The parts of a chat-completion answer beside its content and tool calls: the message's {@code
 * refusal} and {@code annotations} and the choice's {@code logprobs}, read with bounds so that an
 * answer cannot grow the reply record past what the reply topic takes (4 MiB). What does not have
 * the documented shape is left out rather than failing the answer: these fields are extras to the
 * content, which is checked strictly.
 */
final class OpenAiAnswerFields {
  private OpenAiAnswerFields() {}

  /** Annotations kept at most; a search answer cites a few dozen pages at most. */
  static final int MAX_ANNOTATIONS = 256;

  static final int MAX_URL_CHARS = 2048;
  static final int MAX_TITLE_CHARS = 1024;

  /** Tokens kept at most in each of {@code logprobs.content} and {@code logprobs.refusal}. */
  static final int MAX_LOGPROB_TOKENS = 65_536;

  /**
   * Alternatives ({@code top_logprobs} entries) kept at most over the whole choice: each is about
   * 55 bytes of JSON, so about 1.8 MB. Past it, tokens keep coming with no alternatives.
   */
  static final int MAX_ALTERNATIVES = 32_768;

  static final int MAX_TOKEN_CHARS = 256;

  /** The message's refusal, or null when it has none. */
  static String refusal(JsonNode message) {
    JsonNode refusal = message.path("refusal");
    return refusal.isTextual() ? refusal.textValue() : null;
  }

  /** The message's url citations with their documented fields and sizes; empty when none. */
  static List<Annotation> annotations(JsonNode message) {
    JsonNode annotations = message.path("annotations");
    if (!annotations.isArray()) {
      return List.of();
    }
    List<Annotation> kept = new ArrayList<>();
    for (JsonNode annotation : annotations) {
      if (kept.size() == MAX_ANNOTATIONS) {
        break;
      }
      JsonNode citation = annotation.path(Annotation.URL_CITATION);
      if (!Annotation.URL_CITATION.equals(annotation.path("type").textValue())
          || !citation.path("start_index").canConvertToInt()
          || !citation.path("end_index").canConvertToInt()
          || !citation.path("url").isTextual()
          || citation.path("url").textValue().length() > MAX_URL_CHARS
          || citation.path("title").textValue() != null
              && citation.path("title").textValue().length() > MAX_TITLE_CHARS) {
        continue;
      }
      int start = citation.path("start_index").intValue();
      int end = citation.path("end_index").intValue();
      if (start < 0 || end < start) {
        continue;
      }
      String title = citation.path("title").isTextual() ? citation.get("title").textValue() : "";
      kept.add(
          new Annotation(
              Annotation.URL_CITATION,
              new UrlCitation(start, end, citation.get("url").textValue(), title)));
    }
    return List.copyOf(kept);
  }

  /** The choice's log probabilities, or null when it has none. */
  static ChoiceLogprobs logprobs(JsonNode choice) {
    JsonNode logprobs = choice.path("logprobs");
    if (!logprobs.isObject()) {
      return null;
    }
    int[] alternatives = {MAX_ALTERNATIVES};
    List<TokenLogprob> content = tokens(logprobs.path("content"), alternatives);
    List<TokenLogprob> refusal = tokens(logprobs.path("refusal"), alternatives);
    return content == null && refusal == null ? null : new ChoiceLogprobs(content, refusal);
  }

  /** The tokens of one list, or null when there is no list; {@code left[0]} counts alternatives. */
  private static List<TokenLogprob> tokens(JsonNode list, int[] left) {
    if (!list.isArray()) {
      return null;
    }
    List<TokenLogprob> tokens = new ArrayList<>(Math.min(list.size(), MAX_LOGPROB_TOKENS));
    for (JsonNode node : list) {
      if (tokens.size() == MAX_LOGPROB_TOKENS) {
        break;
      }
      TokenLogprob token = token(node);
      if (token == null) {
        // A list with a token the gateway cannot read is not kept in part: offsets into the
        // content would be wrong past it, and redaction masks by offset.
        return null;
      }
      List<TokenLogprob> top = new ArrayList<>();
      for (JsonNode alternative : node.path("top_logprobs")) {
        if (left[0] == 0) {
          break;
        }
        TokenLogprob read = token(alternative);
        if (read != null) {
          top.add(read);
          left[0]--;
        }
      }
      tokens.add(new TokenLogprob(token.token(), token.logprob(), token.bytes(), top));
    }
    return tokens;
  }

  /** One token without its alternatives, or null when it is not one. */
  private static TokenLogprob token(JsonNode node) {
    JsonNode token = node.path("token");
    JsonNode logprob = node.path("logprob");
    if (!token.isTextual() || token.textValue().length() > MAX_TOKEN_CHARS || !logprob.isNumber()) {
      return null;
    }
    return new TokenLogprob(
        token.textValue(), logprob.doubleValue(), bytes(node.path("bytes")), null);
  }

  /** A token's UTF-8 bytes, or null when it has none or they are not bytes. */
  private static List<Integer> bytes(JsonNode bytes) {
    if (!bytes.isArray() || bytes.size() > MAX_TOKEN_CHARS * 4) {
      return null;
    }
    List<Integer> read = new ArrayList<>(bytes.size());
    for (JsonNode b : bytes) {
      if (!b.canConvertToInt() || b.intValue() < 0 || b.intValue() > 255) {
        return null;
      }
      read.add(b.intValue());
    }
    return read;
  }
}

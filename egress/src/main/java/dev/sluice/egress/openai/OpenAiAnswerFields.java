package dev.sluice.egress.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.egress.ProviderAnswer;
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

  /**
   * What a choice's log probabilities may add to the reply, in bytes of JSON as {@link #cost}
   * estimates them (on the high side: about 92 bytes for a token without alternatives, 74 for an
   * alternative, as measured). With the answer's text capped ({@link
   * ProviderAnswer#MAX_TEXT_CHARS}, written twice), the reply stays under the reply topic's 4 MiB.
   * Every token is kept first; then alternatives while they fit. A list whose tokens alone do not
   * fit is withheld (null).
   */
  static final long MAX_LOGPROB_BYTES = 1024 * 1024;

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
    long[] left = {MAX_LOGPROB_BYTES};
    List<TokenLogprob> content = tokens(logprobs.path("content"), left);
    List<TokenLogprob> refusal = tokens(logprobs.path("refusal"), left);
    // Alternatives from what the tokens left, content first.
    content = withAlternatives(content, logprobs.path("content"), left);
    refusal = withAlternatives(refusal, logprobs.path("refusal"), left);
    return content == null && refusal == null ? null : new ChoiceLogprobs(content, refusal);
  }

  /**
   * The tokens of one list without their alternatives, or null when there is no list, a token
   * cannot be read, or they do not fit in {@code left[0]} bytes (which they use up).
   */
  private static List<TokenLogprob> tokens(JsonNode list, long[] left) {
    if (!list.isArray()) {
      return null;
    }
    List<TokenLogprob> tokens = new ArrayList<>(list.size());
    long cost = 0;
    for (JsonNode node : list) {
      TokenLogprob token = token(node);
      if (token == null) {
        // A list with a token the gateway cannot read is not kept in part: offsets into the
        // content would be wrong past it, and redaction masks by offset.
        return null;
      }
      cost += cost(token);
      if (cost > left[0]) {
        return null;
      }
      tokens.add(token);
    }
    left[0] -= cost;
    return tokens;
  }

  /** The tokens with as many of their alternatives, in order, as fit in {@code left[0]} bytes. */
  private static List<TokenLogprob> withAlternatives(
      List<TokenLogprob> tokens, JsonNode list, long[] left) {
    if (tokens == null) {
      return null;
    }
    List<TokenLogprob> kept = new ArrayList<>(tokens.size());
    for (int t = 0; t < tokens.size(); t++) {
      TokenLogprob token = tokens.get(t);
      List<TokenLogprob> top = new ArrayList<>();
      for (JsonNode alternative : list.get(t).path("top_logprobs")) {
        TokenLogprob read = token(alternative);
        if (read == null) {
          continue;
        }
        long cost = cost(read);
        if (cost > left[0]) {
          break;
        }
        left[0] -= cost;
        top.add(read);
      }
      kept.add(new TokenLogprob(token.token(), token.logprob(), token.bytes(), top));
    }
    return kept;
  }

  /** A high estimate of a token's JSON: its text escaped, its bytes, and the fields' names. */
  static long cost(TokenLogprob token) {
    return 64L
        + 6L * token.token().length()
        + 4L * (token.bytes() == null ? 0 : token.bytes().size());
  }

  /** One token without its alternatives, or null when it is not one. */
  private static TokenLogprob token(JsonNode node) {
    JsonNode token = node.path("token");
    JsonNode logprob = node.path("logprob");
    if (!token.isTextual()
        || token.textValue().length() > MAX_TOKEN_CHARS
        || !logprob.isNumber()
        || !Double.isFinite(logprob.doubleValue())) {
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

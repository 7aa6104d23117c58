package dev.sluice.pipeline.redaction;

import dev.sluice.pipeline.redaction.Redaction.Edit;
import dev.sluice.schemas.reply.TokenLogprob;
import java.util.ArrayList;
import java.util.List;

/**
 * Keeps log probabilities from telling what redaction removed. The tokens of a text, laid end to
 * end, are its UTF-8 bytes (a token's {@code bytes} when it has them, since a token may hold part
 * of a character); a token that overlaps a redacted span of the text is replaced by the span's
 * marker (the first token of the span) or by nothing (the rest), and loses its {@code bytes} and
 * {@code top_logprobs}, which would spell the removed value or its likeliest alternatives.
 *
 * <p>Tokens that do not add up to the text cannot be matched to its spans: then, if anything was
 * redacted, the whole list is withheld (null), as OpenAI answers when no log probabilities exist.
 */
final class LogprobMask {
  private LogprobMask() {}

  /**
   * @param original the text the tokens spell, before redaction
   * @param redaction what redaction did to it
   */
  static List<TokenLogprob> mask(List<TokenLogprob> tokens, String original, Redaction redaction) {
    if (tokens == null || !redaction.changed()) {
      return tokens;
    }
    List<Edit> edits = redaction.edits();
    long[] editStart = new long[edits.size()];
    long[] editEnd = new long[edits.size()];
    long textBytes = byteSpans(original, edits, editStart, editEnd);
    long total = 0;
    for (TokenLogprob token : tokens) {
      total += tokenBytes(token);
    }
    if (total != textBytes) {
      return null;
    }
    List<TokenLogprob> masked = new ArrayList<>(tokens.size());
    boolean[] marked = new boolean[edits.size()];
    long at = 0;
    int first = 0; // the first edit that may still overlap a token
    for (TokenLogprob token : tokens) {
      long start = at;
      long end = at + tokenBytes(token);
      at = end;
      while (first < edits.size() && editEnd[first] <= start) {
        first++;
      }
      StringBuilder markers = null;
      for (int e = first; e < edits.size() && editStart[e] < end; e++) {
        if (editEnd[e] > start) {
          if (markers == null) {
            markers = new StringBuilder();
          }
          if (!marked[e]) {
            markers.append(edits.get(e).replacement());
            marked[e] = true;
          }
        }
      }
      masked.add(markers == null ? token : token.masked(markers.toString()));
    }
    return masked;
  }

  private static long tokenBytes(TokenLogprob token) {
    return token.bytes() != null
        ? token.bytes().size()
        : utf8Length(token.token(), 0, token.token().length());
  }

  /** Fills the edits' spans in UTF-8 bytes of {@code text} and returns its length in bytes. */
  private static long byteSpans(String text, List<Edit> edits, long[] starts, long[] ends) {
    long bytes = 0;
    int chars = 0;
    for (int e = 0; e < edits.size(); e++) {
      Edit edit = edits.get(e);
      bytes += utf8Length(text, chars, edit.start());
      starts[e] = bytes;
      bytes += utf8Length(text, edit.start(), edit.end());
      ends[e] = bytes;
      chars = edit.end();
    }
    return bytes + utf8Length(text, chars, text.length());
  }

  /** The UTF-8 length of {@code text[from, to)}, a surrogate pair being one 4-byte character. */
  static long utf8Length(String text, int from, int to) {
    long bytes = 0;
    for (int i = from; i < to; i++) {
      char c = text.charAt(i);
      if (c < 0x80) {
        bytes += 1;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c)
          && i + 1 < to
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    }
    return bytes;
  }
}

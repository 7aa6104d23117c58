package dev.sluice.pipeline.redaction;

import dev.sluice.pipeline.redaction.Redaction.Edit;
import dev.sluice.schemas.reply.TokenLogprob;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Keeps log probabilities from telling what redaction removed. The tokens of a text, laid end to
 * end, are its UTF-8 bytes (a token's {@code bytes} when it has them, since a token may hold part
 * of a character); a token that overlaps a redacted span of the text is replaced by the span's
 * marker (the first token of the span) or by nothing (the rest), and loses its {@code bytes} and
 * {@code top_logprobs}, which would spell the removed value or its likeliest alternatives.
 *
 * <p>Only tokens that spell the text byte for byte are passed on: tokens of text the answer does
 * not show (a reasoning model's hidden thoughts, a tool call's arguments, a refusal the message
 * does not have) could hold anything, so such a list is withheld (null), as OpenAI answers when no
 * log probabilities exist. Checked whenever a list is present, whether or not anything was
 * redacted.
 */
final class LogprobMask {
  private LogprobMask() {}

  /**
   * @param original the text the tokens spell, before redaction; null when the answer has none
   * @param redaction what redaction did to it; null when it was not redacted
   * @return the tokens, masked where redacted; null when they do not spell {@code original}
   */
  static List<TokenLogprob> mask(List<TokenLogprob> tokens, String original, Redaction redaction) {
    if (tokens == null) {
      return null;
    }
    byte[] text = original == null ? new byte[0] : original.getBytes(StandardCharsets.UTF_8);
    long[] starts = new long[tokens.size() + 1];
    int at = 0;
    for (int t = 0; t < tokens.size(); t++) {
      starts[t] = at;
      byte[] token = bytesOf(tokens.get(t));
      if (!Arrays.equals(token, 0, token.length, text, at, Math.min(text.length, at + token.length))
          || at + token.length > text.length) {
        return null;
      }
      at += token.length;
    }
    starts[tokens.size()] = at;
    if (at != text.length) {
      return null;
    }
    if (redaction == null || !redaction.changed()) {
      return tokens;
    }
    List<Edit> edits = redaction.edits();
    long[] editStart = new long[edits.size()];
    long[] editEnd = new long[edits.size()];
    byteSpans(original, edits, editStart, editEnd);
    List<TokenLogprob> masked = new ArrayList<>(tokens.size());
    boolean[] marked = new boolean[edits.size()];
    int first = 0; // the first edit that may still overlap a token
    for (int t = 0; t < tokens.size(); t++) {
      long start = starts[t];
      long end = starts[t + 1];
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
      masked.add(markers == null ? tokens.get(t) : tokens.get(t).masked(markers.toString()));
    }
    return masked;
  }

  private static byte[] bytesOf(TokenLogprob token) {
    if (token.bytes() == null) {
      return token.token().getBytes(StandardCharsets.UTF_8);
    }
    byte[] bytes = new byte[token.bytes().size()];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) (int) token.bytes().get(i);
    }
    return bytes;
  }

  /** Fills the edits' spans in UTF-8 bytes of {@code text}. */
  private static void byteSpans(String text, List<Edit> edits, long[] starts, long[] ends) {
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

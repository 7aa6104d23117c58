package dev.sluice.pipeline.redaction.internals;

import static dev.sluice.pipeline.redaction.internals.Chars.containsIgnoreCase;
import static dev.sluice.pipeline.redaction.internals.Chars.isAlnum;
import static dev.sluice.pipeline.redaction.internals.Chars.isLetter;

import dev.sluice.pipeline.redaction.RedactionType;
import java.util.Set;

/**
 * PEM private-key blocks, from the BEGIN line to the END line or to the end of a truncated body.
 */
final class PrivateKeyRecognizer implements Recognizer {
  @Override
  public String triggers() {
    return "-";
  }

  @Override
  public boolean atWordStart() {
    return false;
  }

  @Override
  public Set<RedactionType> emits() {
    return Set.of(RedactionType.PRIVATE_KEY);
  }

  @Override
  public int scan(String s, int i, Scan scan) {
    return scan.on(RedactionType.PRIVATE_KEY) && s.startsWith("-----BEGIN ", i)
        ? pem(s, i, scan)
        : DECLINE;
  }

  private int pem(String s, int i, Scan scan) {
    int n = s.length();
    int labelFrom = i + 11;
    int k = labelFrom;
    while (k < n && k - labelFrom <= 40 && (isLetter(s.charAt(k)) || s.charAt(k) == ' ')) {
      k++;
    }
    if (!s.startsWith("-----", k) || !containsIgnoreCase(s, labelFrom, k, "PRIVATE KEY")) {
      return i + 1;
    }
    int headerEnd = k + 5;
    int endAt = nextPemEnd(s, headerEnd, scan);
    int blockEnd;
    if (endAt >= 0) {
      int q = endAt + 9;
      while (q < n && q - endAt < 60 && (isLetter(s.charAt(q)) || s.charAt(q) == ' ')) {
        q++;
      }
      blockEnd = s.startsWith("-----", q) ? q + 5 : q;
    } else {
      // truncated block: take the body lines that follow
      int q = headerEnd;
      while (q < n) {
        char c = s.charAt(q);
        if (isAlnum(c)
            || c == '+'
            || c == '/'
            || c == '='
            || c == '\n'
            || c == '\r'
            || c == ':'
            || c == '-'
            || c == ','
            || c == ' '
            || c == '\\') {
          q++;
        } else {
          break;
        }
      }
      blockEnd = q;
    }
    scan.add(RedactionType.PRIVATE_KEY, "private-key", i, blockEnd);
    return blockEnd;
  }

  /** The next "-----END " at or after {@code from}; cached so repeated BEGINs stay linear. */
  private static int nextPemEnd(String s, int from, Scan scan) {
    if (scan.pemEndFrom >= 0
        && scan.pemEndFrom <= from
        && (scan.pemEndAt < 0 || scan.pemEndAt >= from)) {
      return scan.pemEndAt;
    }
    scan.pemEndFrom = from;
    scan.pemEndAt = s.indexOf("-----END ", from);
    return scan.pemEndAt;
  }
}

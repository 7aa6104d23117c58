package dev.sluice.pipeline.redaction.internals;

import static dev.sluice.pipeline.redaction.internals.Chars.isAlnum;
import static dev.sluice.pipeline.redaction.internals.Chars.isLetter;

import dev.sluice.pipeline.redaction.RedactionType;
import java.util.Set;

/** Around each {@code @}: a bounded local part and a domain with an alphabetic TLD. */
final class EmailRecognizer implements Recognizer {
  private static final int MAX_EMAIL_LOCAL = 64;
  private static final int MAX_DOMAIN = 253;

  @Override
  public String triggers() {
    return "@";
  }

  @Override
  public boolean atWordStart() {
    return false;
  }

  @Override
  public Set<RedactionType> emits() {
    return Set.of(RedactionType.EMAIL);
  }

  @Override
  public int scan(String s, int i, Scan scan) {
    return email(s, i, scan);
  }

  private int email(String s, int at, Scan scan) {
    int n = s.length();
    int ls = at;
    while (ls > 0 && at - ls < MAX_EMAIL_LOCAL && isLocalChar(s.charAt(ls - 1))) {
      ls--;
    }
    if (ls > 0 && isLocalChar(s.charAt(ls - 1))) {
      return at + 1;
    }
    while (ls < at && s.charAt(ls) == '.') {
      ls++;
    }
    if (ls == at || s.charAt(at - 1) == '.') {
      return at + 1;
    }
    int de = at + 1;
    while (de < n && de - at <= MAX_DOMAIN && isDomainChar(s.charAt(de))) {
      de++;
    }
    if (de < n && isDomainChar(s.charAt(de))) {
      return de;
    }
    int end = de;
    while (end > at + 1 && (s.charAt(end - 1) == '.' || s.charAt(end - 1) == '-')) {
      end--;
    }
    if (!validDomain(s, at + 1, end)) {
      return at + 1;
    }
    scan.add(RedactionType.EMAIL, ls, end);
    return end;
  }

  private static boolean isLocalChar(char c) {
    return isAlnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
  }

  private static boolean isDomainChar(char c) {
    return isAlnum(c) || c == '.' || c == '-';
  }

  /** Dot-separated labels, no empty label, no label edge dash, an alphabetic TLD of 2+. */
  private static boolean validDomain(String s, int from, int to) {
    if (to - from < 4) {
      return false;
    }
    int labels = 0;
    int labelStart = from;
    for (int k = from; k <= to; k++) {
      if (k == to || s.charAt(k) == '.') {
        if (k == labelStart || s.charAt(labelStart) == '-' || s.charAt(k - 1) == '-') {
          return false;
        }
        labels++;
        if (k == to) {
          if (k - labelStart < 2) {
            return false;
          }
          for (int t = labelStart; t < k; t++) {
            if (!isLetter(s.charAt(t))) {
              return false;
            }
          }
        }
        labelStart = k + 1;
      }
    }
    return labels >= 2;
  }
}

package dev.sluice.pipeline.redaction.internals;

import static dev.sluice.pipeline.redaction.internals.Chars.isAlnum;
import static dev.sluice.pipeline.redaction.internals.Chars.isDigit;
import static dev.sluice.pipeline.redaction.internals.Chars.isLetter;

import dev.sluice.pipeline.redaction.RedactionType;
import java.util.Set;

/**
 * Digit runs: digits joined by single spaces, dashes, dots or a parenthesised area code, read once
 * and classified as a whole as an IPv4 address, a US SSN, a payment card or a phone number.
 */
final class NumberRecognizer implements Recognizer {
  private static final int MAX_GROUPS = 64;

  private static final String[] ADDRESS_UNIT_WORDS = {
    "apt", "suite", "ste", "unit", "room", "rm", "no", "nr", "box", "floor", "fl", "bldg", "flat"
  };

  /** The digit groups of one run and the separator before each. */
  static final class DigitGroups {
    final int[] groupStart = new int[MAX_GROUPS];
    final int[] groupEnd = new int[MAX_GROUPS];
    final char[] groupSep = new char[MAX_GROUPS];
    int groups;

    int len(int g) {
      return groupEnd[g] - groupStart[g];
    }
  }

  @Override
  public String triggers() {
    return "0123456789+(";
  }

  @Override
  public boolean atWordStart() {
    return false;
  }

  @Override
  public Set<RedactionType> emits() {
    return Set.of(
        RedactionType.PHONE, RedactionType.CREDIT_CARD, RedactionType.US_SSN, RedactionType.IPV4);
  }

  @Override
  public int scan(String s, int i, Scan scan) {
    char c = s.charAt(i);
    if (isDigit(c)) {
      return numberStartsAt(s, i) ? numberRun(s, i, scan) : DECLINE;
    }
    // '+' or '(' opening a number
    if (i + 1 < s.length() && isDigit(s.charAt(i + 1)) && (i == 0 || !isAlnum(s.charAt(i - 1)))) {
      return numberRun(s, i, scan);
    }
    return DECLINE;
  }

  /** A digit run starts here unless it continues a word, a decimal, a path or an email. */
  private static boolean numberStartsAt(String s, int i) {
    if (i == 0) {
      return true;
    }
    char p = s.charAt(i - 1);
    if (isAlnum(p) || p == '_' || p == '@' || p == '/' || p == '$') {
      return false;
    }
    if ((p == '-' || p == '.' || p == ',') && i >= 2 && isAlnum(s.charAt(i - 2))) {
      return false;
    }
    return true;
  }

  private static boolean boundaryAfter(String s, int end) {
    if (end >= s.length()) {
      return true;
    }
    char c = s.charAt(end);
    if (isAlnum(c) || c == '_' || c == '@') {
      return false;
    }
    // "1.5" or "12,000": the run goes on as a number the separators did not take
    if ((c == '.' || c == ',' || c == '/') && end + 1 < s.length() && isDigit(s.charAt(end + 1))) {
      return false;
    }
    return true;
  }

  /**
   * Reads digit groups joined by single separators (space, dash, dot, a parenthesised area code),
   * then decides what the whole run is: IPv4, SSN, card, phone; a run longer than a card is
   * searched for cards group by group. Returns where scanning resumes.
   */
  private int numberRun(String s, int start, Scan scan) {
    int n = s.length();
    DigitGroups run = scan.digitGroups();
    int p = start;
    boolean plus = false;
    if (s.charAt(p) == '+') {
      plus = true;
      p++;
    }
    int parenGroup = -1;
    boolean badParen = false;
    int end = p;
    char sep = 0;
    while (run.groups < MAX_GROUPS) {
      boolean open = false;
      int q = p;
      if (q < n && s.charAt(q) == '(') {
        if (parenGroup >= 0) {
          break;
        }
        open = true;
        q++;
      }
      int gs = q;
      while (q < n && isDigit(s.charAt(q))) {
        q++;
      }
      if (q == gs) {
        break;
      }
      int g = run.groups++;
      run.groupStart[g] = gs;
      run.groupEnd[g] = q;
      run.groupSep[g] = open ? '(' : sep;
      end = q;
      char nextSep;
      if (open) {
        if (q < n && s.charAt(q) == ')') {
          q++;
          end = q;
          parenGroup = g;
          nextSep = ')';
          if (q < n && (s.charAt(q) == ' ' || s.charAt(q) == '-')) {
            q++;
          }
        } else {
          badParen = true;
          break;
        }
      } else {
        nextSep = 0;
        if (q < n) {
          char c = s.charAt(q);
          if (c == ' ' || c == '-' || c == '.') {
            nextSep = c;
            q++;
          }
        }
      }
      if (q < n && isDigit(s.charAt(q)) && (nextSep != 0)) {
        sep = nextSep;
        p = q;
        continue;
      }
      if (q + 1 < n
          && s.charAt(q) == '('
          && isDigit(s.charAt(q + 1))
          && parenGroup < 0
          && nextSep == ' ') {
        sep = ' ';
        p = q;
        continue;
      }
      break;
    }
    int groups = run.groups;
    if (groups == 0) {
      return start + 1;
    }
    int digits = 0;
    for (int g = 0; g < groups; g++) {
      digits += run.len(g);
    }
    boolean plain = !plus && parenGroup < 0 && !badParen;
    boolean after = boundaryAfter(s, end);
    if (plain && after && s.charAt(start) != '(') {
      if (groups == 4 && allSeps(run, '.', 1, groups)) {
        if (isIpv4(s, run)) {
          scan.add(RedactionType.IPV4, start, end);
          return end;
        }
      }
      if (groups == 3
          && run.len(0) == 3
          && run.len(1) == 2
          && run.len(2) == 4
          && run.groupSep[1] == run.groupSep[2]
          && (run.groupSep[1] == '-' || run.groupSep[1] == ' ')) {
        boolean spaced = run.groupSep[1] == ' ';
        if (!spaced || !addressContextBefore(s, start)) {
          if (validSsn(s, run.groupStart[0], run.groupStart[1], run.groupStart[2])) {
            scan.add(RedactionType.US_SSN, start, end);
          }
          return end;
        }
      }
      if (groups == 1
          && digits == 9
          && ssnContextBefore(s, start)
          && validSsn(s, start, start + 3, start + 5)) {
        scan.add(RedactionType.US_SSN, start, end);
        return end;
      }
      if (digits >= 13 && digits <= 19 && cardShape(run, 0, groups)) {
        if (cardPrefix(s, start) && Checksums.luhn(s, start, end)) {
          scan.add(RedactionType.CREDIT_CARD, start, end);
        }
        return end;
      }
    }
    if (scan.on(RedactionType.PHONE) && !badParen) {
      int phoneEnd = extensionEnd(s, end);
      if ((after || phoneEnd > end) && isPhone(s, start, plus, parenGroup, digits, run)) {
        scan.add(RedactionType.PHONE, start, phoneEnd);
        return phoneEnd;
      }
    }
    if (plain && digits > 19) {
      cardsWithin(s, run, scan);
    }
    return end;
  }

  private static boolean allSeps(DigitGroups run, char sep, int from, int to) {
    for (int g = from; g < to; g++) {
      if (run.groupSep[g] != sep) {
        return false;
      }
    }
    return true;
  }

  private static boolean isIpv4(String s, DigitGroups run) {
    for (int g = 0; g < 4; g++) {
      int len = run.len(g);
      if (len > 3) {
        return false;
      }
      int v = 0;
      for (int k = run.groupStart[g]; k < run.groupEnd[g]; k++) {
        v = v * 10 + (s.charAt(k) - '0');
      }
      if (v > 255) {
        return false;
      }
    }
    return true;
  }

  private static int number(String s, int from, int to) {
    int v = 0;
    for (int k = from; k < to; k++) {
      v = v * 10 + (s.charAt(k) - '0');
    }
    return v;
  }

  private static boolean validSsn(String s, int area, int group, int serial) {
    return Checksums.validSsn(
        number(s, area, area + 3), number(s, group, group + 2), number(s, serial, serial + 4));
  }

  /** Groups of four (the last may be shorter), Amex 4-6-5, Diners 4-6-4, or one unbroken run. */
  private static boolean cardShape(DigitGroups run, int from, int to) {
    int count = to - from;
    if (count == 1) {
      return true;
    }
    char sep = run.groupSep[from + 1];
    if (sep != ' ' && sep != '-') {
      return false;
    }
    if (!allSeps(run, sep, from + 1, to)) {
      return false;
    }
    if (count == 3 && run.len(from) == 4 && run.len(from + 1) == 6) {
      int last = run.len(from + 2);
      return last == 5 || last == 4;
    }
    for (int g = from; g < to - 1; g++) {
      if (run.len(g) != 4) {
        return false;
      }
    }
    int last = run.len(to - 1);
    return last >= 1 && last <= 4;
  }

  /** Issuer prefixes of the networks that use Luhn: Visa, Mastercard, Amex, Diners, JCB, etc. */
  private static boolean cardPrefix(String s, int start) {
    int k = start;
    char d1 = s.charAt(k);
    int p = 0;
    int seen = 0;
    while (seen < 4) {
      char c = s.charAt(k++);
      if (isDigit(c)) {
        p = p * 10 + (c - '0');
        seen++;
      }
    }
    int two = p / 100;
    return switch (d1) {
      case '4', '5', '6' -> true;
      case '2' -> p >= 2221 && p <= 2720;
      case '3' -> two == 30 || two == 34 || two == 35 || two == 36 || two == 37 || two == 38;
      default -> false;
    };
  }

  /** Searches a run too long to be one card (e.g. two cards side by side) group by group. */
  private void cardsWithin(String s, DigitGroups run, Scan scan) {
    if (!scan.on(RedactionType.CREDIT_CARD)) {
      return;
    }
    int g = 0;
    while (g < run.groups) {
      int digits = 0;
      int matchedTo = -1;
      for (int e = g; e < run.groups; e++) {
        digits += run.len(e);
        if (digits > 19) {
          break;
        }
        if (e > g && run.groupSep[e] != ' ' && run.groupSep[e] != '-') {
          break;
        }
        if (digits >= 13
            && cardShape(run, g, e + 1)
            && cardPrefix(s, run.groupStart[g])
            && Checksums.luhn(s, run.groupStart[g], run.groupEnd[e])) {
          matchedTo = e;
          break;
        }
      }
      if (matchedTo >= 0) {
        scan.add(RedactionType.CREDIT_CARD, run.groupStart[g], run.groupEnd[matchedTo]);
        g = matchedTo + 1;
      } else {
        g++;
      }
    }
  }

  /** "x123", " ext. 123", " ext 123" after a phone number; returns the end (or {@code end}). */
  private static int extensionEnd(String s, int end) {
    int n = s.length();
    int q = end;
    if (q < n && (s.charAt(q) == 'x' || s.charAt(q) == 'X')) {
      q++;
    } else if (q + 2 < n
        && s.charAt(q) == ' '
        && (s.charAt(q + 1) == 'x' || s.charAt(q + 1) == 'X')
        && isDigit(s.charAt(q + 2))) {
      q += 2;
    } else if (s.regionMatches(true, q, " ext", 0, 4) || s.regionMatches(true, q, "ext", 0, 3)) {
      q += s.charAt(q) == ' ' ? 4 : 3;
      if (q < n && s.charAt(q) == '.') {
        q++;
      }
      if (q < n && s.charAt(q) == ' ') {
        q++;
      }
    } else {
      return end;
    }
    int ds = q;
    while (q < n && q - ds < 7 && isDigit(s.charAt(q))) {
      q++;
    }
    if (q == ds || q - ds > 6 || (q < n && (isAlnum(s.charAt(q)) || s.charAt(q) == '_'))) {
      return end;
    }
    return q;
  }

  private boolean isPhone(
      String s, int start, boolean plus, int parenGroup, int digits, DigitGroups run) {
    int groups = run.groups;
    if (addressContextBefore(s, start)) {
      return false;
    }
    if (plus) {
      return digits >= 8 && digits <= 15 && maxGroupLen(run) <= 12;
    }
    int g0 = run.groupStart[0];
    boolean international = run.len(0) >= 2 && s.charAt(g0) == '0' && s.charAt(g0 + 1) == '0';
    if (international) {
      return groups >= 2 && digits - 2 >= 8 && digits - 2 <= 15;
    }
    if (groups == 1) {
      if (parenGroup >= 0) {
        return false;
      }
      if (digits == 10) {
        return nanp(s, g0) || (s.charAt(g0) == '0' && s.charAt(g0 + 1) != '0');
      }
      if (digits == 11) {
        return (s.charAt(g0) == '1' && nanp(s, g0 + 1))
            || (s.charAt(g0) == '0' && s.charAt(g0 + 1) != '0');
      }
      return false;
    }
    if (groups > 6 || digits < 7 || digits > 12) {
      return false;
    }
    if (looksLikeDate(s, run) || yearsOrZipPlusFour(s, run)) {
      return false;
    }
    boolean dotted = false;
    for (int g = 1; g < groups; g++) {
      if (run.groupSep[g] == '.') {
        dotted = true;
      }
    }
    if (dotted && (groups < 3 || !allSeps(run, '.', 1, groups))) {
      return false;
    }
    for (int g = 0; g < groups; g++) {
      int len = run.len(g);
      if (len > 8) {
        return false;
      }
      if (len < 2) {
        boolean trunk = g == 0 && s.charAt(run.groupStart[0]) == '1' && groups >= 3;
        if (!trunk || dotted) {
          return false;
        }
      }
    }
    if (parenGroup >= 0) {
      boolean leading = parenGroup == 0 || (parenGroup == 1 && run.len(0) == 1);
      if (!leading || run.len(parenGroup) > 5) {
        return false;
      }
    }
    return true;
  }

  private static int maxGroupLen(DigitGroups run) {
    int max = 0;
    for (int g = 0; g < run.groups; g++) {
      max = Math.max(max, run.len(g));
    }
    return max;
  }

  /** North American numbering: area code and exchange both start with 2-9. */
  private static boolean nanp(String s, int at) {
    char a = s.charAt(at);
    char e = s.charAt(at + 3);
    return a >= '2' && e >= '2';
  }

  /** 2024-01-31, 31.01.2024, 2024.01.31 and friends are dates, not phone numbers. */
  private static boolean looksLikeDate(String s, DigitGroups run) {
    if (run.groups < 3) {
      return false;
    }
    int a = run.len(0);
    int b = run.len(1);
    int c = run.len(2);
    int va = number(s, run.groupStart[0], run.groupEnd[0]);
    int vb = number(s, run.groupStart[1], run.groupEnd[1]);
    int vc = number(s, run.groupStart[2], run.groupEnd[2]);
    if (a == 4 && b <= 2 && c <= 2) {
      return va >= 1000 && va <= 2999 && vb >= 1 && vb <= 12 && vc >= 1 && vc <= 31;
    }
    if (a <= 2 && b <= 2 && c == 4) {
      boolean dayMonth = va >= 1 && va <= 31 && vb >= 1 && vb <= 31 && (va <= 12 || vb <= 12);
      return dayMonth && vc >= 1000 && vc <= 2999;
    }
    return false;
  }

  /** "1990-2001", "2022 2023 2024" (years), "94105-1234" (ZIP+4). */
  private static boolean yearsOrZipPlusFour(String s, DigitGroups run) {
    if (run.groups == 2 && run.len(0) == 5 && run.len(1) == 4 && run.groupSep[1] == '-') {
      return true;
    }
    for (int g = 0; g < run.groups; g++) {
      if (run.len(g) != 4) {
        return false;
      }
      int year = number(s, run.groupStart[g], run.groupEnd[g]);
      if (year < 1800 || year > 2199) {
        return false;
      }
    }
    return true;
  }

  /** "Apt 12 34 56", "Suite 680 36 4022", "#123 456 789", "$100 200 300". */
  private static boolean addressContextBefore(String s, int start) {
    int j = start - 1;
    while (j >= 0 && s.charAt(j) == ' ') {
      j--;
    }
    if (j < 0) {
      return false;
    }
    char c = s.charAt(j);
    if (c == '#' || c == '$' || c == '€' || c == '£' || c == '¥' || c == '№') {
      return true;
    }
    if (c == '.') {
      j--;
    }
    int wordEnd = j + 1;
    while (j >= 0 && wordEnd - j <= 6 && isLetter(s.charAt(j))) {
      j--;
    }
    int wordStart = j + 1;
    if (wordStart == wordEnd || (j >= 0 && isLetter(s.charAt(j)))) {
      return false;
    }
    for (String w : ADDRESS_UNIT_WORDS) {
      if (w.length() == wordEnd - wordStart && s.regionMatches(true, wordStart, w, 0, w.length())) {
        return true;
      }
    }
    return false;
  }

  /** An unformatted nine-digit number is an SSN only when the text just said so. */
  private static boolean ssnContextBefore(String s, int start) {
    int from = Math.max(0, start - 40);
    for (int k = from; k < start; k++) {
      char c = s.charAt(k);
      if ((c == 's' || c == 'S')
          && (s.regionMatches(true, k, "ssn", 0, 3)
              || s.regionMatches(true, k, "social security", 0, 15))) {
        return true;
      }
    }
    return false;
  }
}

package dev.sluice.pipeline.redaction.internals;

import static dev.sluice.pipeline.redaction.internals.Chars.isAlnum;
import static dev.sluice.pipeline.redaction.internals.Chars.isDigit;
import static dev.sluice.pipeline.redaction.internals.Chars.isLetter;

import dev.sluice.pipeline.redaction.RedactionType;
import java.util.Set;

/**
 * Digit runs: groups of digits joined by single separators (a space, {@code -}, {@code .}, {@code
 * /} or {@code _}; a no-break space counts as a space and an en dash as a dash) and at most one
 * parenthesised area code. Each run is read once, then searched for values: first those with a
 * checksum or a fixed shape (IPv4, US SSN, payment card), then phone numbers in what they leave.
 * Each value is the longest that validates from a group where one can start (the run's start, or
 * after a space), so two values side by side, or a value next to other digits, are found apart; a
 * value spans at most {@link #MAX_VALUE_GROUPS} groups, which keeps the search linear.
 */
final class NumberRecognizer implements Recognizer {
  static final int MAX_GROUPS = 64;

  /** The most groups one value spans: {@code +33 6 12 34 56 78} has six, a card five. */
  private static final int MAX_VALUE_GROUPS = 8;

  /** The longest area code written in parentheses. */
  private static final int MAX_AREA_CODE = 5;

  /** The fewest digits a phone number has (a local {@code 555 0132}). */
  private static final int MIN_PHONE_DIGITS = 7;

  /** The most digits of a national number accepted for its grouping alone. */
  private static final int MAX_GROUPED_PHONE_DIGITS = 12;

  private static final String[] ADDRESS_UNIT_WORDS = {
    "apt", "suite", "ste", "unit", "room", "rm", "no", "nr", "box", "floor", "fl", "bldg", "flat"
  };

  /** The digit groups of one run, the separator before each, and what the search took. */
  static final class DigitGroups {
    /** The region whose national phone formats count, the redactor's ({@link PhoneNumbers}). */
    String region;

    final int[] groupStart = new int[MAX_GROUPS];
    final int[] groupEnd = new int[MAX_GROUPS];

    /**
     * The separator before each group, as a space, {@code -}, {@code .}, {@code /} or {@code _};
     * {@code )} after a parenthesised group; 0 before the first.
     */
    final char[] groupSep = new char[MAX_GROUPS];

    final boolean[] paren = new boolean[MAX_GROUPS];

    /** Groups a checksummed value took, or a number that failed its check blocked. */
    final boolean[] taken = new boolean[MAX_GROUPS];

    final boolean[] blocked = new boolean[MAX_GROUPS];

    /** Card- and SSN-shaped spans that failed their check, to block once the search is done. */
    final int[] numberFrom = new int[MAX_GROUPS];

    final int[] numberTo = new int[MAX_GROUPS];

    /** Digits in the groups before each group, so that any span's count is one subtraction. */
    final int[] digitsBefore = new int[MAX_GROUPS + 1];

    int groups;
    int runStart;
    int runEnd;
    boolean plus;
    int parenGroup;

    /**
     * Where the last value, failed number or international number of the checksummed search ended:
     * a failed number may start there even after a group of four.
     */
    int aligned;

    /** Where the last value or international number ended: no block of fours reaches before. */
    int floor;

    /** The run went on past {@link #MAX_GROUPS}: its last groups are read again by the next. */
    boolean truncated;

    int len(int g) {
      return groupEnd[g] - groupStart[g];
    }

    int digits(int from, int to) {
      return digitsBefore[to + 1] - digitsBefore[from];
    }

    /** Where a value made of groups from {@code g} starts in the text: at its + or (. */
    int valueStart(int g) {
      if (g == 0) {
        return runStart;
      }
      return paren[g] ? groupStart[g] - 1 : groupStart[g];
    }

    int valueEnd(int g) {
      return paren[g] ? groupEnd[g] + 1 : groupEnd[g];
    }

    /** A value starts at the run's start or at a group after a space. */
    boolean canStart(int g) {
      return g == 0 || groupSep[g] == ' ';
    }

    boolean hasParen(int from, int to) {
      return parenGroup >= from && parenGroup <= to;
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
    if (i + 1 >= s.length() || !isDigit(s.charAt(i + 1)) || (i > 0 && isAlnum(s.charAt(i - 1)))) {
      return DECLINE;
    }
    if (c == '(' && !areaCodeAt(s, i)) {
      // "(4111 1111 1111 1111)": the number is read from its first digit, without the parenthesis
      return DECLINE;
    }
    return numberRun(s, i, scan);
  }

  /** "(415)", "(03)", "(0)": one to five digits in parentheses at {@code open}. */
  private static boolean areaCodeAt(String s, int open) {
    int n = s.length();
    int k = open + 1;
    while (k < n && k - open <= MAX_AREA_CODE && isDigit(s.charAt(k))) {
      k++;
    }
    return k > open + 1 && k < n && s.charAt(k) == ')';
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
    if ((p == '-' || p == '.') && i >= 2 && isAlnum(s.charAt(i - 2))) {
      return false;
    }
    // "07:41:12", "10.0.0.1:8080", "2001:db8::1": a time, a port, an IPv6 group
    if (p == ':' && i >= 2 && Chars.isHex(s.charAt(i - 2))) {
      return false;
    }
    // "12,000": a thousands group is no value; "Smith,4111111111111111" (a CSV field) is
    return p != ',' || i < 2 || !isDigit(s.charAt(i - 2)) || !thousandsGroupAt(s, i);
  }

  /** Exactly three digits at {@code i}, and no more digits joined to them ("1,250 USD"). */
  private static boolean thousandsGroupAt(String s, int i) {
    int n = s.length();
    if (i + 3 > n || !isDigit(s.charAt(i)) || !isDigit(s.charAt(i + 1))) {
      return false;
    }
    if (!isDigit(s.charAt(i + 2))) {
      return false;
    }
    int k = i + 3;
    return k == n
        || (!isDigit(s.charAt(k))
            && !(separator(s.charAt(k)) != 0 && k + 1 < n && isDigit(s.charAt(k + 1))));
  }

  /** What follows the run lets it end there: not a word, and not a number that goes on. */
  private static boolean boundaryAfter(String s, DigitGroups run) {
    int end = run.runEnd;
    if (end >= s.length()) {
      return true;
    }
    char c = s.charAt(end);
    if (isAlnum(c) || c == '_' || c == '@') {
      return false;
    }
    if (end + 1 < s.length() && isDigit(s.charAt(end + 1))) {
      if (c == ',') {
        // "1,250" goes on; "4111111111111111,5500000000000004" is two fields
        return run.groups > 1 || run.len(0) > 3 || run.plus || !thousandsGroupAt(s, end + 1);
      }
      return c != '.' && c != '/';
    }
    return true;
  }

  /**
   * The run's last group starts something else: the hour of a time, an IPv6 address, a host before
   * its port ("+65 6123 4529 00:58:52"), or a word ("4111 1111 1111 1111 0935fe24-..."), not an
   * extension.
   */
  private static boolean lastGroupGoesOn(String s, DigitGroups run) {
    int end = run.runEnd;
    if (end >= s.length()) {
      return false;
    }
    char c = s.charAt(end);
    if (c == ':') {
      return end + 1 < s.length() && (Chars.isHex(s.charAt(end + 1)) || s.charAt(end + 1) == ':');
    }
    if ((c == '.' || c == '+') && end + 1 < s.length() && isLetter(s.charAt(end + 1))) {
      return true; // "+81 3-1234-5831 0.jane@example.org", "... 8+news@example.org"
    }
    return !boundaryAfter(s, run) && extensionEnd(s, end) == end;
  }

  /** A separator between two groups, or 0. */
  private static char separator(char c) {
    return switch (c) {
      case ' ', '\u00a0', '\u202f', '\u2007' -> ' ';
      case '-', '\u2010', '\u2011', '\u2012', '\u2013' -> '-';
      case '.', '/', '_' -> c;
      default -> 0;
    };
  }

  /** Reads the run, finds its values, and returns where scanning resumes. */
  private int numberRun(String s, int start, Scan scan) {
    DigitGroups run = scan.digitGroups();
    read(s, start, run);
    if (run.groups == 0) {
      return start + 1;
    }
    int last = run.groups - 1;
    if (last > 0 && !run.truncated && run.groupSep[last] == ' ' && lastGroupGoesOn(s, run)) {
      run.groups--;
      run.runEnd = run.valueEnd(last - 1);
    }
    int digits = run.digits(0, run.groups - 1);
    if (digits < 4 || (digits < MIN_PHONE_DIGITS && run.groups < 4)) {
      return run.runEnd;
    }
    boolean after = !run.truncated && boundaryAfter(s, run);
    // A truncated run's last groups may hold the start of a value: the next run reads them again.
    int limit = run.truncated ? MAX_GROUPS - MAX_VALUE_GROUPS : run.groups;
    int lastEnd = checksummedValues(s, run, limit, after, scan);
    if (scan.on(RedactionType.PHONE)) {
      lastEnd = Math.max(lastEnd, phones(s, run, limit, after, scan));
    }
    int resume = run.runEnd;
    if (run.truncated) {
      for (int g = limit; g < run.groups; g++) {
        if (run.canStart(g)) {
          resume = run.valueStart(g);
          break;
        }
      }
    }
    return Math.max(resume, lastEnd);
  }

  /**
   * Digit groups joined by single separators, and one parenthesised group after a space or at the
   * start. An unclosed parenthesis ends the run before it.
   */
  private static void read(String s, int start, DigitGroups run) {
    int n = s.length();
    run.runStart = start;
    run.runEnd = start;
    run.plus = false;
    run.truncated = false;
    run.parenGroup = -1;
    run.digitsBefore[0] = 0;
    int p = start;
    if (s.charAt(p) == '+') {
      run.plus = true;
      p++;
    }
    char sep = 0;
    while (p < n) {
      if (run.groups == MAX_GROUPS) {
        run.truncated = true;
        break;
      }
      boolean open = s.charAt(p) == '(';
      if (open && !areaCodeAt(s, p)) {
        break;
      }
      int gs = open ? p + 1 : p;
      int q = gs;
      while (q < n && isDigit(s.charAt(q))) {
        q++;
      }
      if (q == gs || (open && (q >= n || s.charAt(q) != ')'))) {
        break;
      }
      int g = run.groups++;
      run.groupStart[g] = gs;
      run.groupEnd[g] = q;
      run.groupSep[g] = sep;
      run.paren[g] = open;
      run.taken[g] = false;
      run.blocked[g] = false;
      run.digitsBefore[g + 1] = run.digitsBefore[g] + (q - gs);
      char next;
      if (open) {
        run.parenGroup = g;
        q++;
        run.runEnd = q;
        next = ')';
        if (q < n && (separator(s.charAt(q)) == ' ' || separator(s.charAt(q)) == '-')) {
          q++;
        }
      } else {
        run.runEnd = q;
        next = q < n ? separator(s.charAt(q)) : 0;
        if (next != 0) {
          q++;
        }
      }
      if (next != 0 && q < n && isDigit(s.charAt(q))) {
        sep = next;
        p = q;
      } else if (next == ' '
          && run.parenGroup < 0
          && q + 1 < n
          && s.charAt(q) == '('
          && isDigit(s.charAt(q + 1))) {
        sep = ' ';
        p = q;
      } else {
        break;
      }
    }
  }

  /**
   * A value may end at group {@code e}: before a space, or at the run's end when what follows ends
   * it.
   */
  private static boolean canEnd(DigitGroups run, int e, boolean after) {
    return e < run.groups - 1 ? run.groupSep[e + 1] == ' ' : after;
  }

  /**
   * IPv4 addresses, SSNs and cards, each the longest from where it can start; their groups are
   * taken, valid or not switched on, so no phone number is read into them. A card-shaped or
   * SSN-shaped number that fails its check blocks its groups for phone numbers too, unless a valid
   * value overlaps it: such a number is an order number or an id. Returns the end of the last
   * value, or -1.
   */
  private static int checksummedValues(
      String s, DigitGroups run, int limit, boolean after, Scan scan) {
    int lastEnd = -1;
    int numbers = 0;
    run.aligned = 0;
    run.floor = 0;
    int g = 0;
    while (g < limit) {
      if (!run.canStart(g)) {
        g++;
        continue;
      }
      // "+65 6123 4567 4111 1111 1111 1111": nothing starts inside the shortest international
      // number
      int international = internationalNumberEnd(s, run, g);
      if (international >= 0 || (g == 0 && run.plus)) {
        g = Math.max(g, international) + 1;
        run.aligned = g;
        run.floor = g;
        continue;
      }
      int matched = -1;
      int numberTo = -1;
      RedactionType type = null;
      int last = Math.min(run.groups - 1, g + MAX_VALUE_GROUPS - 1);
      for (int e = last; e >= g && type == null; e--) {
        if (run.hasParen(g, e)) {
          continue;
        }
        if (canEnd(run, e, after)) {
          type = checksummed(s, run, g, e);
          if (numberTo < 0
              && (g == run.aligned || !afterLooseFour(run, g))
              && numberShape(s, run, g, e)) {
            numberTo = e;
          }
        } else if (e + 1 < run.groups && run.groupSep[e + 1] == '/' && isIpv4(s, run, g, e)) {
          type = RedactionType.IPV4; // 10.0.0.0/8
        }
        matched = e;
      }
      if (type == null) {
        if (numberTo >= 0) {
          run.numberFrom[numbers] = g;
          run.numberTo[numbers++] = numberTo;
          run.aligned = numberTo + 1;
        }
        g++;
        continue;
      }
      scan.add(type, run.valueStart(g), run.valueEnd(matched));
      lastEnd = run.valueEnd(matched);
      for (int k = g; k <= matched; k++) {
        run.taken[k] = true;
      }
      g = matched + 1;
      run.aligned = g;
      run.floor = g;
    }
    for (int k = 0; k < numbers; k++) {
      blockUnlessTaken(run, run.numberFrom[k], run.numberTo[k]);
    }
    return lastEnd;
  }

  /** Blocks groups {@code from..to} for phone numbers unless a valid value took one of them. */
  private static void blockUnlessTaken(DigitGroups run, int from, int to) {
    for (int k = from; k <= to; k++) {
      if (run.taken[k] && !run.blocked[k]) {
        return;
      }
    }
    for (int k = from; k <= to; k++) {
      run.taken[k] = true;
      run.blocked[k] = true;
    }
  }

  /** Card-shaped with 12 to 19 digits, or 3-2-4 SSN-shaped: a number with a check, if not one. */
  private static boolean numberShape(String s, DigitGroups run, int g, int e) {
    int digits = run.digits(g, e);
    boolean card =
        digits >= CardNetworks.MIN_LENGTH
            && digits <= CardNetworks.MAX_LENGTH
            && cardShape(run, g, e)
            && !shortTailInside(run, g, e)
            && !startsWithIdd(s, run, g, e);
    return card || (ssnShape(run, g, e) && !addressContextBefore(s, run, g));
  }

  /**
   * The last group of the shortest international number from group {@code g} ({@code +} at the
   * run's start, or {@code 00}), or -1.
   */
  private static int internationalNumberEnd(String s, DigitGroups run, int g) {
    boolean plus = g == 0 && run.plus;
    boolean idd = !plus && startsWithIdd(s, run, g, run.groups - 1);
    if (!plus && !idd) {
      return -1;
    }
    if (idd
        && g + 2 < run.groups
        && ssnShape(run, g, g + 2)
        && validSsn(s, run.groupStart[g], run.groupStart[g + 1], run.groupStart[g + 2])) {
      return -1; // "007 61 7302" is an SSN
    }
    int last = Math.min(run.groups - 1, g + MAX_VALUE_GROUPS - 1);
    for (int e = idd ? g + 1 : g; e <= last; e++) {
      if (!phoneSeparators(run, g, e)) {
        return -1;
      }
      if (run.digits(g, e) >= MIN_PHONE_DIGITS && international(s, run, g, e, idd)) {
        return e;
      }
    }
    return -1;
  }

  private static RedactionType checksummed(String s, DigitGroups run, int g, int e) {
    int count = e - g + 1;
    if (isIpv4(s, run, g, e)) {
      return RedactionType.IPV4;
    }
    if (ssnShape(run, g, e) && !(run.groupSep[g + 1] == ' ' && addressContextBefore(s, run, g))) {
      return validSsn(s, run.groupStart[g], run.groupStart[g + 1], run.groupStart[g + 2])
          ? RedactionType.US_SSN
          : null;
    }
    int digits = run.digits(g, e);
    if (count == 1
        && digits == 9
        && ssnContextBefore(s, run.groupStart[g])
        && validSsn(s, run.groupStart[g], run.groupStart[g] + 3, run.groupStart[g] + 5)) {
      return RedactionType.US_SSN;
    }
    if (digits >= CardNetworks.MIN_LENGTH
        && digits <= CardNetworks.MAX_LENGTH
        && cardShape(run, g, e)
        && CardNetworks.issues(iin(s, run.groupStart[g]), digits)
        && Checksums.luhn(s, run.groupStart[g], run.groupEnd[e])
        && !partOfShortBlock(s, run, g, e)
        && cardEndsHere(s, run, g, e)
        && !(shortTailInside(run, g, e)
            && validCard(s, run, g, e - 1)
            && !cardAt(s, run, e + 1)
            && valueAt(s, run, e))) {
      return RedactionType.CREDIT_CARD;
    }
    return null;
  }

  /**
   * Phone numbers in the groups no checksummed value took, each the longest from where it can
   * start: first one its numbering plan validates, else one grouped as phone numbers are written,
   * so that a valid number is not cut short by a grouping that reaches into its neighbour. Returns
   * the end of the last.
   */
  private static int phones(String s, DigitGroups run, int limit, boolean after, Scan scan) {
    String region = run.region;
    int lastEnd = -1;
    int lastGroup = run.groups - 1;
    int extension = run.truncated ? run.runEnd : extensionEnd(s, run.runEnd);
    int g = 0;
    while (g < limit) {
      if (run.taken[g] || !run.canStart(g)) {
        g++;
        continue;
      }
      int last = Math.min(lastGroup, g + MAX_VALUE_GROUPS - 1);
      for (int k = g + 1; k <= last; k++) {
        // "+81 3-1234-5035 0046 8 12 35 88": a number never runs into the next one's 00
        if (run.taken[k] || (run.groupSep[k] == ' ' && internationalAt(s, run, k))) {
          last = k - 1;
          break;
        }
      }
      int matched = -1;
      for (int pass = 0; pass < 2 && matched < 0; pass++) {
        for (int e = last; e >= g; e--) {
          if (run.digits(g, e) < MIN_PHONE_DIGITS) {
            break;
          }
          boolean ends =
              canEnd(run, e, after) || (e == lastGroup && !run.truncated && extension > run.runEnd);
          if (ends
              && (pass == 0 ? phoneByPlan(s, run, g, e, region) : phoneByGrouping(s, run, g, e))) {
            matched = e;
            break;
          }
        }
      }
      if (matched < 0) {
        g++;
        continue;
      }
      int end = matched == lastGroup ? Math.max(extension, run.runEnd) : run.valueEnd(matched);
      scan.add(RedactionType.PHONE, run.valueStart(g), end);
      lastEnd = end;
      g = matched + 1;
    }
    return lastEnd;
  }

  private static boolean isIpv4(String s, DigitGroups run, int g, int e) {
    if (e - g != 3) {
      return false;
    }
    for (int k = g; k <= e; k++) {
      if ((k > g && run.groupSep[k] != '.') || run.len(k) > 3) {
        return false;
      }
      if (number(s, run.groupStart[k], run.groupEnd[k]) > 255) {
        return false;
      }
    }
    return true;
  }

  /** 3-2-4 digits joined by dashes or by spaces. */
  private static boolean ssnShape(DigitGroups run, int g, int e) {
    return e - g == 2
        && run.len(g) == 3
        && run.len(g + 1) == 2
        && run.len(g + 2) == 4
        && run.groupSep[g + 1] == run.groupSep[g + 2]
        && (run.groupSep[g + 1] == '-' || run.groupSep[g + 1] == ' ');
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

  /**
   * One unbroken run; groups of four, the last 1-4 long; or Amex's 4-6-5 and Diners' 4-6-4. One
   * kind of separator throughout.
   */
  private static boolean cardShape(DigitGroups run, int g, int e) {
    int count = e - g + 1;
    if (count == 1) {
      return true;
    }
    char sep = run.groupSep[g + 1];
    if (sep == ')') {
      return false;
    }
    for (int k = g + 2; k <= e; k++) {
      if (run.groupSep[k] != sep) {
        return false;
      }
    }
    if (count == 3 && run.len(g) == 4 && run.len(g + 1) == 6) {
      int last = run.len(g + 2);
      return last == 5 || last == 4;
    }
    for (int k = g; k < e; k++) {
      if (run.len(k) != 4) {
        return false;
      }
    }
    // "4111 1111 1111 1111 415 555 0132": a short last group that more groups follow after a
    // space, as the card's own groups are, is the next value's first
    return run.len(e) <= 4;
  }

  /**
   * A short last group that more groups follow after a space, as the card's own groups are: in
   * "4111 1111 1111 1111 415 555 0132" it may be the next value's first.
   */
  private static boolean shortTailInside(DigitGroups run, int g, int e) {
    return e > g
        && run.len(e) < 4
        && run.len(e - 1) == 4
        && e < run.groups - 1
        && run.groupSep[e] == ' ';
  }

  /**
   * "3550 6087 9153 7863": up to four groups of four after spaces are one number, with a short last
   * group or without; a card in them is all of them, unless another value starts where it ends.
   * Longer blocks hold several values.
   */
  private static boolean partOfShortBlock(String s, DigitGroups run, int g, int e) {
    if (e == g || run.groupSep[g + 1] != ' ' || run.len(e) > 4) {
      return false;
    }
    for (int k = g; k < e; k++) {
      if (run.len(k) != 4) {
        return false; // Amex's 4-6-5, Diners' 4-6-4
      }
    }
    int from = g;
    while (from > run.floor
        && run.groupSep[from] == ' '
        && run.len(from - 1) == 4
        && (from == 1 || run.groupSep[from - 1] == ' ')
        && !run.taken[from - 1]) {
      from--;
    }
    int to = g;
    while (to + 1 < run.groups && run.groupSep[to + 1] == ' ' && looseFour(run, to + 1)) {
      to++;
    }
    if (to - from + 1 > 4) {
      return false;
    }
    int end = e;
    if (run.len(e) < 4) {
      end = e - 1;
    }
    // "6304 8958 4940 0081 90-1234-5787": the rest of the block may start the next value
    return from != g || (end != to && !valueAt(s, run, end + 1));
  }

  /**
   * "6583 3901 5571 2924": a card ends before a full group of four after a space, as its own groups
   * are, only when a card starts there ("4111 1111 1111 1111 5500 0000 0000 0004"); otherwise the
   * groups are one number, and its first twelve digits passing Luhn make no Maestro card.
   */
  private static boolean cardEndsHere(String s, DigitGroups run, int g, int e) {
    if (e == g
        || e + 1 >= run.groups
        || run.groupSep[g + 1] != ' '
        || !allFours(run, g, e)
        || !looseFour(run, e + 1)) {
      return true;
    }
    return valueAt(s, run, e + 1);
  }

  private static boolean allFours(DigitGroups run, int g, int e) {
    for (int k = g; k <= e; k++) {
      if (run.len(k) != 4) {
        return false;
      }
    }
    return true;
  }

  /**
   * A card, an SSN or a phone number that its numbering plan validates starts at group {@code g}
   * (and ends before a space or at the run's end).
   */
  private static boolean valueAt(String s, DigitGroups run, int g) {
    if (g >= run.groups || run.groupSep[g] != ' ') {
      return false;
    }
    String region = run.region;
    for (int e = Math.min(run.groups - 1, g + MAX_VALUE_GROUPS - 1); e >= g; e--) {
      if (e < run.groups - 1 && run.groupSep[e + 1] != ' ') {
        continue;
      }
      // by shape and checksum alone: a look-ahead that looked ahead again could branch
      if (validCard(s, run, g, e)
          || (ssnShape(run, g, e)
              && validSsn(s, run.groupStart[g], run.groupStart[g + 1], run.groupStart[g + 2]))) {
        return true;
      }
      if (run.digits(g, e) >= MIN_PHONE_DIGITS && phoneByPlan(s, run, g, e, region)) {
        return true;
      }
    }
    return false;
  }

  /** An international number written with {@code 00} starts at group {@code k}. */
  private static boolean internationalAt(String s, DigitGroups run, int k) {
    return startsWithIdd(s, run, k, run.groups - 1) && internationalNumberEnd(s, run, k) >= 0;
  }

  /** Group {@code g} follows a space-grouped four: it is not where such a number starts. */
  private static boolean afterLooseFour(DigitGroups run, int g) {
    return g > 0
        && run.groupSep[g] == ' '
        && run.len(g - 1) == 4
        && (g == 1 || run.groupSep[g - 1] == ' ');
  }

  /** Four digits that a space or the run's end follows: a group of a space-grouped card. */
  private static boolean looseFour(DigitGroups run, int k) {
    return run.len(k) == 4 && (k + 1 == run.groups || run.groupSep[k + 1] == ' ');
  }

  /** A valid card starts at group {@code g}. */
  private static boolean cardAt(String s, DigitGroups run, int g) {
    if (g >= run.groups || run.groupSep[g] != ' ') {
      return false;
    }
    for (int k = Math.min(run.groups - 1, g + 4); k >= g; k--) {
      if (validCard(s, run, g, k)) {
        return true;
      }
    }
    return false;
  }

  /** Groups {@code g..e} as a card by shape, network and Luhn alone. */
  private static boolean validCard(String s, DigitGroups run, int g, int e) {
    int digits = run.digits(g, e);
    return digits >= CardNetworks.MIN_LENGTH
        && digits <= CardNetworks.MAX_LENGTH
        && !run.hasParen(g, e)
        && cardShape(run, g, e)
        && CardNetworks.issues(iin(s, run.groupStart[g]), digits)
        && Checksums.luhn(s, run.groupStart[g], run.groupEnd[e]);
  }

  /** The first six digits from {@code k}, separators skipped (a card has at least twelve). */
  private static int iin(String s, int k) {
    int iin = 0;
    int seen = 0;
    while (seen < 6) {
      char c = s.charAt(k++);
      if (isDigit(c)) {
        iin = iin * 10 + (c - '0');
        seen++;
      }
    }
    return iin;
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

  /**
   * Groups {@code g..e} as a phone number by its numbering plan, with libphonenumber: international
   * ({@code +} or {@code 00} first) when its country's numbers have that length, national when it
   * is a valid number of the default region.
   */
  private static boolean phoneByPlan(String s, DigitGroups run, int g, int e, String region) {
    if (addressContextBefore(s, run, g) || !phoneSeparators(run, g, e)) {
      return false;
    }
    boolean idd = startsWithIdd(s, run, g, e);
    if ((g == 0 && run.plus) || idd) {
      return international(s, run, g, e, idd);
    }
    return nationalCandidate(s, run, g, e)
        && PhoneNumbers.national(digitsOf(s, run, g, e, 0), region);
  }

  /**
   * Groups {@code g..e} as a national phone number by its grouping alone: 7 to 12 digits in two to
   * six groups, written as phone numbers are, whatever the country.
   */
  private static boolean phoneByGrouping(String s, DigitGroups run, int g, int e) {
    return e > g
        && run.digits(g, e) <= MAX_GROUPED_PHONE_DIGITS
        && !(g == 0 && run.plus)
        && !startsWithIdd(s, run, g, e)
        && !addressContextBefore(s, run, g)
        && phoneSeparators(run, g, e)
        && nationalCandidate(s, run, g, e);
  }

  /** "00" before the country code, in a grouped number ("0044 20 7946 0958", "00 33 1 ..."). */
  private static boolean startsWithIdd(String s, DigitGroups run, int g, int e) {
    int g0 = run.groupStart[g];
    int len = run.len(g);
    if (e == g || run.paren[g] || len < 2 || len > 5) {
      return false;
    }
    if (s.charAt(g0) != '0' || s.charAt(g0 + 1) != '0') {
      return false;
    }
    // "00 44 20 ...", "0044 20 ...", "001-415-...": the country code is whole in the first group
    // or is the next, so "006-19-5695" (an SSN) is not one
    return len == 2
        ? PhoneNumbers.countryCodeAt(s, run.groupStart[g + 1], run.groupEnd[g + 1])
        : PhoneNumbers.countryCodeAt(s, g0 + 2, run.groupEnd[g]);
  }

  /** Not SSN-shaped, not card-like, and grouped as national numbers are. */
  private static boolean nationalCandidate(String s, DigitGroups run, int g, int e) {
    return !ssnShape(run, g, e) && !cardLike(run, g, e) && nationalGrouping(s, run, g, e);
  }

  /**
   * Spaces, a closing parenthesis, and dashes or dots (not both: "+49-30-123865 14.7.35" is a
   * number and a version); never a slash or an underscore.
   */
  private static boolean phoneSeparators(DigitGroups run, int g, int e) {
    char joiner = 0;
    for (int k = g + 1; k <= e; k++) {
      char sep = run.groupSep[k];
      if (sep == '/' || sep == '_') {
        return false;
      }
      if (sep == '-' || sep == '.') {
        if (joiner != 0 && joiner != sep) {
          return false;
        }
        joiner = sep;
      }
    }
    return true;
  }

  /** "+44 20 7946 0958", "+44 (0)20 7946 0958", "0049 30 1234567", "001-415-555-0132". */
  private static boolean international(String s, DigitGroups run, int g, int e, boolean idd) {
    if (e > g && !idd && run.len(g) >= MIN_PHONE_DIGITS && international(s, run, g, g, false)) {
      return false; // "+81312345879 6.0.80": the number is whole before what follows
    }
    if (run.hasParen(g, e)) {
      int p = run.parenGroup;
      boolean trunk = run.len(p) == 1 && s.charAt(run.groupStart[p]) == '0';
      boolean areaCode = p == g + 1;
      if (!trunk && !areaCode) {
        return false;
      }
    }
    int digits = run.digits(g, e) - (idd ? 2 : 0);
    if (digits > PhoneNumbers.MAX_INTERNATIONAL_DIGITS + 1) {
      return false;
    }
    return PhoneNumbers.international(digitsOf(s, run, g, e, idd ? 2 : 0));
  }

  /**
   * The digits of groups {@code g..e}, {@code skip} leading ones left out, and a parenthesised
   * trunk 0 as in {@code +44 (0)20} too.
   */
  private static StringBuilder digitsOf(String s, DigitGroups run, int g, int e, int skip) {
    StringBuilder sb = new StringBuilder(20);
    for (int k = g; k <= e; k++) {
      if (k > g && run.paren[k] && run.len(k) == 1 && s.charAt(run.groupStart[k]) == '0') {
        continue;
      }
      int from = k == g ? run.groupStart[k] + skip : run.groupStart[k];
      sb.append(s, from, run.groupEnd[k]);
    }
    return sb;
  }

  /** Three or more groups of four in a row are written cards or ids, not phone numbers. */
  private static boolean cardLike(DigitGroups run, int g, int e) {
    int fours = 0;
    for (int k = g; k <= e; k++) {
      fours = run.len(k) == 4 ? fours + 1 : 0;
      if (fours == 3) {
        return true;
      }
    }
    return false;
  }

  /**
   * How national numbers are grouped anywhere: up to six groups of at most eight digits; a single
   * digit only as a leading trunk code ({@code 1 415 555 0132}); dots only throughout; a
   * parenthesised area code first (or after a one-digit trunk code). Dates, year lists and ZIP+4
   * are not phone numbers.
   */
  private static boolean nationalGrouping(String s, DigitGroups run, int g, int e) {
    int count = e - g + 1;
    if (count > 6) {
      return false;
    }
    if (count == 1) {
      return !run.paren[g];
    }
    if (containsDate(s, run, g, e) || yearsOrZipPlusFour(s, run, g, e)) {
      return false;
    }
    boolean dotted = false;
    for (int k = g + 1; k <= e; k++) {
      dotted |= run.groupSep[k] == '.';
    }
    if (dotted) {
      if (count < 3) {
        return false;
      }
      for (int k = g + 1; k <= e; k++) {
        if (run.groupSep[k] != '.') {
          return false;
        }
      }
    }
    for (int k = g; k <= e; k++) {
      int len = run.len(k);
      if (len > 8) {
        return false;
      }
      if (len < 2) {
        boolean trunk = k == g && s.charAt(run.groupStart[k]) == '1' && count >= 3;
        if (!trunk || dotted) {
          return false;
        }
      }
    }
    if (run.hasParen(g, e)) {
      int p = run.parenGroup;
      boolean leading = p == g || (p == g + 1 && run.len(g) == 1);
      if (!leading) {
        return false;
      }
    }
    return true;
  }

  /**
   * 2024-01-31, 31.01.2024, 2024.01.31 and friends are dates, not phone numbers: at the start of
   * groups {@code g..e}, or anywhere in them with one separator inside the date ("12 2024-01-31",
   * what is left of "07:41:12 2024-01-31").
   */
  private static boolean containsDate(String s, DigitGroups run, int g, int e) {
    for (int k = g; k + 2 <= e; k++) {
      boolean oneSeparator = run.groupSep[k + 1] == run.groupSep[k + 2];
      if ((k == g || oneSeparator) && dateAt(s, run, k)) {
        return true;
      }
    }
    return false;
  }

  private static boolean dateAt(String s, DigitGroups run, int k) {
    int a = run.len(k);
    int b = run.len(k + 1);
    int c = run.len(k + 2);
    if (a == 4 && b <= 2 && c <= 2) {
      return inRange(s, run, k, 1000, 2999)
          && inRange(s, run, k + 1, 1, 12)
          && inRange(s, run, k + 2, 1, 31);
    }
    if (a <= 2 && b <= 2 && c == 4) {
      int va = number(s, run.groupStart[k], run.groupEnd[k]);
      int vb = number(s, run.groupStart[k + 1], run.groupEnd[k + 1]);
      boolean dayMonth = va >= 1 && va <= 31 && vb >= 1 && vb <= 31 && (va <= 12 || vb <= 12);
      return dayMonth && inRange(s, run, k + 2, 1000, 2999);
    }
    return false;
  }

  private static boolean inRange(String s, DigitGroups run, int k, int min, int max) {
    int v = number(s, run.groupStart[k], run.groupEnd[k]);
    return v >= min && v <= max;
  }

  /** "1990-2001", "2022 2023 2024" (years), "94105-1234" (ZIP+4). */
  private static boolean yearsOrZipPlusFour(String s, DigitGroups run, int g, int e) {
    if (e - g == 1 && run.len(g) == 5 && run.len(e) == 4 && run.groupSep[e] == '-') {
      return true;
    }
    for (int k = g; k <= e; k++) {
      if (run.len(k) != 4) {
        return false;
      }
      int year = number(s, run.groupStart[k], run.groupEnd[k]);
      if (year < 1800 || year > 2199) {
        return false;
      }
    }
    return true;
  }

  /** "Apt 12 34 56", "Suite 680 36 4022", "#123 456 789", "$100 200 300" before group g. */
  private static boolean addressContextBefore(String s, DigitGroups run, int g) {
    if (g > 0) {
      return false;
    }
    int j = run.valueStart(g) - 1;
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

package dev.sluice.pipeline.redaction.internals;

import dev.sluice.pipeline.redaction.RedactionType;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Set;

/**
 * One forward pass over the text that stops only at cheap trigger characters and validates each
 * candidate locally. Every look-around is bounded by a constant or consumes what it reads, so the
 * scan is linear in the text whatever the input.
 */
public final class CandidateScanner {
  private static final int MAX_EMAIL_LOCAL = 64;
  private static final int MAX_DOMAIN = 253;
  private static final int MAX_IPV6 = 45;
  private static final int MAX_NAME = 64;
  private static final int MAX_VALUE = 256;
  private static final int MAX_TOKEN = 4096;
  private static final int MAX_GROUPS = 64;

  private static final String[] SECRET_NAMES = {
    "password",
    "passwd",
    "pwd",
    "passphrase",
    "secret",
    "token",
    "api_key",
    "apikey",
    "api-key",
    "access_key",
    "accesskey",
    "private_key",
    "privatekey",
    "credential",
    "auth_key",
    "authkey",
    "client_key",
    "signing_key",
    "encryption_key",
    "master_key"
  };
  private static final String[] NOT_SECRET_NAME_SUFFIXES = {
    "_url",
    "_uri",
    "_file",
    "_path",
    "_name",
    "_type",
    "_count",
    "_length",
    "_len",
    "_limit",
    "_ttl",
    "_endpoint",
    "_arn",
    "_id",
    "_expiry",
    "_expires_in",
    "_header",
    "_prefix",
    "_size",
    "_policy",
    "_field",
    "_env",
    "_var"
  };
  private static final String[] ADDRESS_UNIT_WORDS = {
    "apt", "suite", "ste", "unit", "room", "rm", "no", "nr", "box", "floor", "fl", "bldg", "flat"
  };
  private static final String[] AWS_KEY_PREFIXES = {"AKIA", "ASIA", "ABIA", "ACCA"};

  /** IBAN length by country (ISO 13616 registry), indexed by (c1 - 'A') * 26 + (c2 - 'A'). */
  private static final byte[] IBAN_LENGTHS = new byte[26 * 26];

  static {
    String registry =
        "AD24 AE23 AL28 AT20 AZ28 BA20 BE16 BG22 BH22 BI27 BR29 BY28 CH21 CR22 CY28 CZ24 DE22"
            + " DJ27 DK18 DO28 EE20 EG29 ES24 FI18 FK18 FO18 FR27 GB22 GE22 GI23 GL18 GR27 GT28"
            + " HR21 HU28 IE22 IL23 IQ23 IS26 IT27 JO30 KW30 KZ20 LB28 LC32 LI21 LT20 LU20 LV21"
            + " LY25 MC27 MD24 ME22 MK19 MN20 MR27 MT31 MU30 NI28 NL18 NO15 OM23 PK24 PL28 PS29"
            + " PT25 QA29 RO24 RS22 RU33 SA24 SC31 SD18 SE24 SI19 SK24 SM27 SO23 ST25 SV28 TL23"
            + " TN24 TR26 UA29 VA22 VG24 XK20 YE30";
    for (String entry : registry.split(" ")) {
      IBAN_LENGTHS[(entry.charAt(0) - 'A') * 26 + (entry.charAt(1) - 'A')] =
          (byte) Integer.parseInt(entry.substring(2));
    }
  }

  private final boolean[] on = new boolean[RedactionType.values().length];
  private final boolean numeric;
  private final boolean letters;
  private final boolean colon;

  public CandidateScanner(Set<RedactionType> enabled) {
    for (RedactionType t : enabled) {
      on[t.ordinal()] = true;
    }
    numeric =
        is(RedactionType.PHONE)
            || is(RedactionType.CREDIT_CARD)
            || is(RedactionType.US_SSN)
            || is(RedactionType.IPV4);
    letters =
        is(RedactionType.IBAN)
            || is(RedactionType.OPENAI_KEY)
            || is(RedactionType.ANTHROPIC_KEY)
            || is(RedactionType.AWS_ACCESS_KEY_ID)
            || is(RedactionType.GITHUB_TOKEN)
            || is(RedactionType.GITLAB_TOKEN)
            || is(RedactionType.SLACK_TOKEN)
            || is(RedactionType.SLACK_WEBHOOK)
            || is(RedactionType.STRIPE_KEY)
            || is(RedactionType.GOOGLE_API_KEY)
            || is(RedactionType.JWT)
            || is(RedactionType.BEARER_TOKEN)
            || is(RedactionType.BASIC_AUTH);
    colon =
        is(RedactionType.URL_CREDENTIALS)
            || is(RedactionType.IPV6)
            || is(RedactionType.SECRET_ASSIGNMENT)
            || is(RedactionType.AWS_SECRET_KEY);
  }

  private boolean is(RedactionType t) {
    return on[t.ordinal()];
  }

  /** Per-scan scratch: the matches and the digit groups of the current run. */
  private static final class Scan {
    final Candidates found = new Candidates();
    int[] groupStart;
    int[] groupEnd;
    char[] groupSep;
    int groups;
    int pemEndFrom = -1;
    int pemEndAt = -1;

    void resetGroups() {
      if (groupStart == null) {
        groupStart = new int[MAX_GROUPS];
        groupEnd = new int[MAX_GROUPS];
        groupSep = new char[MAX_GROUPS];
      }
      groups = 0;
    }

    int len(int g) {
      return groupEnd[g] - groupStart[g];
    }
  }

  public Candidates scan(String s) {
    Scan scan = new Scan();
    int n = s.length();
    int i = 0;
    while (i < n) {
      char c = s.charAt(i);
      int next = i + 1;
      if (c >= '0' && c <= '9') {
        if (numeric && numberStartsAt(s, i)) {
          next = numberRun(s, i, scan);
        }
      } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
        if (letters && (i == 0 || !isTokenChar(s.charAt(i - 1)))) {
          next = wordStart(s, i, scan);
        }
      } else {
        switch (c) {
          case '@' -> {
            if (is(RedactionType.EMAIL)) {
              next = email(s, i, scan);
            }
          }
          case ':' -> {
            if (colon) {
              next = colon(s, i, scan);
            }
          }
          case '=' -> {
            if (is(RedactionType.SECRET_ASSIGNMENT) || is(RedactionType.AWS_SECRET_KEY)) {
              next = assignment(s, i, scan);
            }
          }
          case '-' -> {
            if (is(RedactionType.PRIVATE_KEY) && s.startsWith("-----BEGIN ", i)) {
              next = pem(s, i, scan);
            }
          }
          case '+', '(' -> {
            if (numeric
                && i + 1 < n
                && isDigit(s.charAt(i + 1))
                && (i == 0 || !isAlnum(s.charAt(i - 1)))) {
              next = numberRun(s, i, scan);
            }
          }
          default -> {}
        }
      }
      i = Math.max(next, i + 1);
    }
    return scan.found;
  }

  // ---------------------------------------------------------------- character classes

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private static boolean isLetter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }

  private static boolean isAlnum(char c) {
    return isDigit(c) || isLetter(c);
  }

  private static boolean isTokenChar(char c) {
    return isAlnum(c) || c == '_' || c == '-';
  }

  private static boolean isBase64Url(char c) {
    return isAlnum(c) || c == '_' || c == '-';
  }

  private static boolean isHex(char c) {
    return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  private static boolean isSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
  }

  // ---------------------------------------------------------------- digit runs

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
    scan.resetGroups();
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
    while (scan.groups < MAX_GROUPS) {
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
      int g = scan.groups++;
      scan.groupStart[g] = gs;
      scan.groupEnd[g] = q;
      scan.groupSep[g] = open ? '(' : sep;
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
    int groups = scan.groups;
    if (groups == 0) {
      return start + 1;
    }
    int digits = 0;
    for (int g = 0; g < groups; g++) {
      digits += scan.len(g);
    }
    boolean plain = !plus && parenGroup < 0 && !badParen;
    boolean after = boundaryAfter(s, end);
    if (plain && after && s.charAt(start) != '(') {
      if (groups == 4 && allSeps(scan, '.', 1, groups)) {
        if (isIpv4(s, scan)) {
          add(scan, RedactionType.IPV4, start, end);
          return end;
        }
      }
      if (groups == 3
          && scan.len(0) == 3
          && scan.len(1) == 2
          && scan.len(2) == 4
          && scan.groupSep[1] == scan.groupSep[2]
          && (scan.groupSep[1] == '-' || scan.groupSep[1] == ' ')) {
        boolean spaced = scan.groupSep[1] == ' ';
        if (!spaced || !addressContextBefore(s, start)) {
          if (validSsn(s, scan.groupStart[0], scan.groupStart[1], scan.groupStart[2])) {
            add(scan, RedactionType.US_SSN, start, end);
          }
          return end;
        }
      }
      if (groups == 1
          && digits == 9
          && ssnContextBefore(s, start)
          && validSsn(s, start, start + 3, start + 5)) {
        add(scan, RedactionType.US_SSN, start, end);
        return end;
      }
      if (digits >= 13 && digits <= 19 && cardShape(scan, 0, groups)) {
        if (cardPrefix(s, start) && Checksums.luhn(s, start, end)) {
          add(scan, RedactionType.CREDIT_CARD, start, end);
        }
        return end;
      }
    }
    if (is(RedactionType.PHONE) && !badParen) {
      int phoneEnd = extensionEnd(s, end);
      if ((after || phoneEnd > end) && isPhone(s, start, plus, parenGroup, digits, scan)) {
        add(scan, RedactionType.PHONE, start, phoneEnd);
        return phoneEnd;
      }
    }
    if (plain && digits > 19) {
      cardsWithin(s, scan);
    }
    return end;
  }

  private void add(Scan scan, RedactionType type, int start, int end) {
    if (on[type.ordinal()]) {
      scan.found.add(type, start, end);
    }
  }

  private static boolean allSeps(Scan scan, char sep, int from, int to) {
    for (int g = from; g < to; g++) {
      if (scan.groupSep[g] != sep) {
        return false;
      }
    }
    return true;
  }

  private static boolean isIpv4(String s, Scan scan) {
    for (int g = 0; g < 4; g++) {
      int len = scan.len(g);
      if (len > 3) {
        return false;
      }
      int v = 0;
      for (int k = scan.groupStart[g]; k < scan.groupEnd[g]; k++) {
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
  private static boolean cardShape(Scan scan, int from, int to) {
    int count = to - from;
    if (count == 1) {
      return true;
    }
    char sep = scan.groupSep[from + 1];
    if (sep != ' ' && sep != '-') {
      return false;
    }
    if (!allSeps(scan, sep, from + 1, to)) {
      return false;
    }
    if (count == 3 && scan.len(from) == 4 && scan.len(from + 1) == 6) {
      int last = scan.len(from + 2);
      return last == 5 || last == 4;
    }
    for (int g = from; g < to - 1; g++) {
      if (scan.len(g) != 4) {
        return false;
      }
    }
    int last = scan.len(to - 1);
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
  private void cardsWithin(String s, Scan scan) {
    if (!is(RedactionType.CREDIT_CARD)) {
      return;
    }
    int g = 0;
    while (g < scan.groups) {
      int digits = 0;
      int matchedTo = -1;
      for (int e = g; e < scan.groups; e++) {
        digits += scan.len(e);
        if (digits > 19) {
          break;
        }
        if (e > g && scan.groupSep[e] != ' ' && scan.groupSep[e] != '-') {
          break;
        }
        if (digits >= 13
            && cardShape(scan, g, e + 1)
            && cardPrefix(s, scan.groupStart[g])
            && Checksums.luhn(s, scan.groupStart[g], scan.groupEnd[e])) {
          matchedTo = e;
          break;
        }
      }
      if (matchedTo >= 0) {
        add(scan, RedactionType.CREDIT_CARD, scan.groupStart[g], scan.groupEnd[matchedTo]);
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
      String s, int start, boolean plus, int parenGroup, int digits, Scan scan) {
    int groups = scan.groups;
    if (addressContextBefore(s, start)) {
      return false;
    }
    if (plus) {
      return digits >= 8 && digits <= 15 && maxGroupLen(scan) <= 12;
    }
    int g0 = scan.groupStart[0];
    boolean international = scan.len(0) >= 2 && s.charAt(g0) == '0' && s.charAt(g0 + 1) == '0';
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
    if (looksLikeDate(s, scan) || yearsOrZipPlusFour(s, scan)) {
      return false;
    }
    boolean dotted = false;
    for (int g = 1; g < groups; g++) {
      if (scan.groupSep[g] == '.') {
        dotted = true;
      }
    }
    if (dotted && (groups < 3 || !allSeps(scan, '.', 1, groups))) {
      return false;
    }
    for (int g = 0; g < groups; g++) {
      int len = scan.len(g);
      if (len > 8) {
        return false;
      }
      if (len < 2) {
        boolean trunk = g == 0 && s.charAt(scan.groupStart[0]) == '1' && groups >= 3;
        if (!trunk || dotted) {
          return false;
        }
      }
    }
    if (parenGroup >= 0) {
      boolean leading = parenGroup == 0 || (parenGroup == 1 && scan.len(0) == 1);
      if (!leading || scan.len(parenGroup) > 5) {
        return false;
      }
    }
    return true;
  }

  private static int maxGroupLen(Scan scan) {
    int max = 0;
    for (int g = 0; g < scan.groups; g++) {
      max = Math.max(max, scan.len(g));
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
  private static boolean looksLikeDate(String s, Scan scan) {
    if (scan.groups < 3) {
      return false;
    }
    int a = scan.len(0);
    int b = scan.len(1);
    int c = scan.len(2);
    int va = number(s, scan.groupStart[0], scan.groupEnd[0]);
    int vb = number(s, scan.groupStart[1], scan.groupEnd[1]);
    int vc = number(s, scan.groupStart[2], scan.groupEnd[2]);
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
  private static boolean yearsOrZipPlusFour(String s, Scan scan) {
    if (scan.groups == 2 && scan.len(0) == 5 && scan.len(1) == 4 && scan.groupSep[1] == '-') {
      return true;
    }
    for (int g = 0; g < scan.groups; g++) {
      if (scan.len(g) != 4) {
        return false;
      }
      int year = number(s, scan.groupStart[g], scan.groupEnd[g]);
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

  // ---------------------------------------------------------------- email

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
    add(scan, RedactionType.EMAIL, ls, end);
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

  // ---------------------------------------------------------------- ':' (URLs, IPv6, assignments)

  private int colon(String s, int i, Scan scan) {
    int n = s.length();
    if (i + 2 < n && s.charAt(i + 1) == '/' && s.charAt(i + 2) == '/') {
      if (is(RedactionType.URL_CREDENTIALS)) {
        urlCredentials(s, i, scan);
      }
      return i + 3;
    }
    if (i >= 4 && s.regionMatches(true, i - 4, "data", 0, 4)) {
      int skip = dataUri(s, i);
      if (skip > i) {
        return skip;
      }
    }
    if (is(RedactionType.IPV6)) {
      int end = ipv6(s, i, scan);
      if (end > i) {
        return end;
      }
    }
    if (i + 1 < n && s.charAt(i + 1) == ':') {
      return i + 2;
    }
    if (is(RedactionType.SECRET_ASSIGNMENT) || is(RedactionType.AWS_SECRET_KEY)) {
      return assignment(s, i, scan);
    }
    return i + 1;
  }

  /** "scheme://user:password@host": redacts the user-info, keeps scheme and host. */
  private void urlCredentials(String s, int colonAt, Scan scan) {
    int n = s.length();
    int k = colonAt;
    while (k > 0
        && colonAt - k < 32
        && (isAlnum(s.charAt(k - 1)) || "+.-".indexOf(s.charAt(k - 1)) >= 0)) {
      k--;
    }
    if (k == colonAt || !isLetter(s.charAt(k))) {
      return;
    }
    int from = colonAt + 3;
    int at = -1;
    int q = from;
    while (q < n && q - from < MAX_VALUE) {
      char c = s.charAt(q);
      if (isSpace(c)
          || c == '/'
          || c == '?'
          || c == '#'
          || c == '"'
          || c == '\''
          || c == '<'
          || c == '>'
          || c == '`') {
        break;
      }
      if (c == '@') {
        at = q;
      }
      q++;
    }
    if (at < 0 || at + 1 >= n || !isAlnum(s.charAt(at + 1)) && s.charAt(at + 1) != '[') {
      return;
    }
    int userColon = -1;
    for (int k2 = from; k2 < at; k2++) {
      if (s.charAt(k2) == ':') {
        userColon = k2;
        break;
      }
    }
    if (userColon < 0 || userColon >= at - 1) {
      return;
    }
    add(scan, RedactionType.URL_CREDENTIALS, from, at);
  }

  /** Skips the payload of "data:...;base64,....": images are not secrets. */
  private static int dataUri(String s, int colonAt) {
    if (colonAt >= 5 && isAlnum(s.charAt(colonAt - 5))) {
      return -1;
    }
    int n = s.length();
    int limit = Math.min(n, colonAt + 100);
    int b = -1;
    for (int k = colonAt + 1; k < limit; k++) {
      char c = s.charAt(k);
      if (isSpace(c)) {
        return -1;
      }
      if (c == ',') {
        if (k >= 7 && s.regionMatches(true, k - 7, ";base64", 0, 7)) {
          b = k + 1;
        }
        break;
      }
    }
    if (b < 0) {
      return -1;
    }
    int q = b;
    while (q < n
        && (isAlnum(s.charAt(q))
            || s.charAt(q) == '+'
            || s.charAt(q) == '/'
            || s.charAt(q) == '=')) {
      q++;
    }
    return q;
  }

  /** IPv6 around a colon: 8 groups, or "::" compression; returns the end, or -1. */
  private int ipv6(String s, int colonAt, Scan scan) {
    int n = s.length();
    int ls = colonAt;
    while (ls > 0
        && colonAt - ls <= MAX_IPV6
        && (isHex(s.charAt(ls - 1)) || s.charAt(ls - 1) == ':')) {
      ls--;
    }
    if (ls > 0) {
      char b = s.charAt(ls - 1);
      if (isAlnum(b) || b == '_' || b == ':' || b == '.' || b == '-') {
        return -1;
      }
    }
    int re = colonAt + 1;
    while (re < n
        && re - ls <= MAX_IPV6 + 1
        && (isHex(s.charAt(re)) || s.charAt(re) == ':' || s.charAt(re) == '.')) {
      re++;
    }
    if (re - ls > MAX_IPV6) {
      return -1;
    }
    while (re > colonAt && s.charAt(re - 1) == '.') {
      re--;
    }
    if (re < n) {
      char a = s.charAt(re);
      if (isAlnum(a) || a == '_') {
        return -1;
      }
    }
    if (!validIpv6(s, ls, re)) {
      return -1;
    }
    add(scan, RedactionType.IPV6, ls, re);
    return re;
  }

  private static boolean validIpv6(String s, int from, int to) {
    int groups = 0;
    boolean compressed = false;
    boolean digit = false;
    int k = from;
    if (to - from < 3) {
      return false;
    }
    if (s.charAt(k) == ':') {
      if (s.charAt(k + 1) != ':') {
        return false;
      }
      compressed = true;
      k += 2;
    }
    while (k < to) {
      int gs = k;
      while (k < to && isHex(s.charAt(k))) {
        if (isDigit(s.charAt(k))) {
          digit = true;
        }
        k++;
      }
      int len = k - gs;
      if (k < to && s.charAt(k) == '.') {
        // dotted IPv4 tail
        if (!ipv4Tail(s, gs, to)) {
          return false;
        }
        groups += 2;
        k = to;
        break;
      }
      if (len == 0 || len > 4) {
        return false;
      }
      groups++;
      if (k == to) {
        break;
      }
      k++; // ':'
      if (k < to && s.charAt(k) == ':') {
        if (compressed) {
          return false;
        }
        compressed = true;
        k++;
        if (k == to) {
          break;
        }
      } else if (k == to) {
        return false;
      }
    }
    if (!digit) {
      return false;
    }
    return compressed ? groups >= 2 && groups <= 7 : groups == 8;
  }

  private static boolean ipv4Tail(String s, int from, int to) {
    int parts = 0;
    int k = from;
    while (k <= to) {
      int ps = k;
      int v = 0;
      while (k < to && isDigit(s.charAt(k))) {
        v = v * 10 + (s.charAt(k) - '0');
        k++;
      }
      if (k == ps || k - ps > 3 || v > 255) {
        return false;
      }
      parts++;
      if (k == to) {
        break;
      }
      if (s.charAt(k) != '.') {
        return false;
      }
      k++;
    }
    return parts == 4;
  }

  // ---------------------------------------------------------------- name = value

  /**
   * A secret-like name ({@code password}, {@code api_key}, {@code client_secret} ...) assigned a
   * value that looks random. Always returns {@code op + 1}: the value is scanned again, so a
   * provider key in it is named by its provider.
   */
  private int assignment(String s, int op, Scan scan) {
    int n = s.length();
    char opChar = s.charAt(op);
    int v = op + 1;
    if (opChar == '=') {
      if (op > 0 && "=!<>".indexOf(s.charAt(op - 1)) >= 0) {
        return op + 1;
      }
      if (v < n && s.charAt(v) == '=') {
        return op + 2;
      }
      if (v < n && s.charAt(v) == '>') {
        v++;
      }
    } else if (v < n && s.charAt(v) == '=') {
      v++;
    }
    // the name
    int j = op - 1;
    if (j >= 0 && s.charAt(j) == ':') {
      return op + 1;
    }
    int spaces = 0;
    while (j >= 0 && (s.charAt(j) == ' ' || s.charAt(j) == '\t') && spaces < 4) {
      j--;
      spaces++;
    }
    if (j >= 0 && (s.charAt(j) == '"' || s.charAt(j) == '\'')) {
      j--;
    }
    int nameEnd = j + 1;
    int k = nameEnd;
    while (k > 0 && nameEnd - k < MAX_NAME && isNameChar(s.charAt(k - 1))) {
      k--;
    }
    if (k == nameEnd || nameEnd - k < 3) {
      return op + 1;
    }
    if (k > 0) {
      char b = s.charAt(k - 1);
      if (isNameChar(b) || b == '/' || b == '+' || b == '=' || b == '\\') {
        return op + 1;
      }
    }
    if (!secretName(s, k, nameEnd)) {
      return op + 1;
    }
    boolean aws =
        containsIgnoreCase(s, k, nameEnd, "aws")
            || containsIgnoreCase(s, k, nameEnd, "secretaccesskey")
            || containsIgnoreCase(s, k, nameEnd, "secret_access_key");
    // the value
    spaces = 0;
    while (v < n && (s.charAt(v) == ' ' || s.charAt(v) == '\t') && spaces < 4) {
      v++;
      spaces++;
    }
    if (v >= n) {
      return op + 1;
    }
    char quote = s.charAt(v);
    int vs;
    int ve;
    boolean bare;
    if (quote == '"' || quote == '\'' || quote == '`') {
      vs = v + 1;
      ve = vs;
      while (ve < n && ve - vs <= MAX_VALUE && s.charAt(ve) != quote && s.charAt(ve) != '\n') {
        ve++;
      }
      if (ve >= n || s.charAt(ve) != quote) {
        return op + 1;
      }
      bare = false;
    } else {
      vs = v;
      ve = vs;
      while (ve < n
          && ve - vs <= MAX_VALUE
          && !isSpace(s.charAt(ve))
          && ",;&\"'<>()[]{}`".indexOf(s.charAt(ve)) < 0) {
        ve++;
      }
      if (ve < n && s.charAt(ve) == '(') {
        return op + 1;
      }
      while (ve > vs && (s.charAt(ve - 1) == '.' || s.charAt(ve - 1) == ':')) {
        ve--;
      }
      bare = true;
    }
    int len = ve - vs;
    if (len < 8 || len > MAX_VALUE) {
      return op + 1;
    }
    if (aws && is(RedactionType.AWS_SECRET_KEY) && len == 40 && base64Chars(s, vs, ve)) {
      add(scan, RedactionType.AWS_SECRET_KEY, vs, ve);
      return op + 1;
    }
    if (is(RedactionType.SECRET_ASSIGNMENT) && looksRandom(s, vs, ve, bare)) {
      add(scan, RedactionType.SECRET_ASSIGNMENT, vs, ve);
    }
    return op + 1;
  }

  private static boolean isNameChar(char c) {
    return isAlnum(c) || c == '_' || c == '-' || c == '.';
  }

  private static boolean secretName(String s, int from, int to) {
    boolean hit = false;
    for (String w : SECRET_NAMES) {
      if (containsIgnoreCase(s, from, to, w)) {
        hit = true;
        break;
      }
    }
    if (!hit) {
      return false;
    }
    if (containsIgnoreCase(s, from, to, "tokeniz") || containsIgnoreCase(s, from, to, "tokens")) {
      return false;
    }
    for (String suffix : NOT_SECRET_NAME_SUFFIXES) {
      int len = suffix.length();
      if (to - from > len && s.regionMatches(true, to - len, suffix, 0, len)) {
        return false;
      }
      // camelCase: tokenUrl, secretName
      if (to - from > len
          && Character.isUpperCase(s.charAt(to - len + 1))
          && s.regionMatches(true, to - len + 1, suffix, 1, len - 1)) {
        return false;
      }
    }
    return true;
  }

  private static boolean containsIgnoreCase(String s, int from, int to, String word) {
    int len = word.length();
    for (int k = from; k + len <= to; k++) {
      if (s.regionMatches(true, k, word, 0, len)) {
        return true;
      }
    }
    return false;
  }

  private static boolean base64Chars(String s, int from, int to) {
    for (int k = from; k < to; k++) {
      char c = s.charAt(k);
      if (!isAlnum(c) && c != '/' && c != '+') {
        return false;
      }
    }
    return true;
  }

  /**
   * Random enough to be a credential: at least two character classes, no spaces, not an identifier,
   * a placeholder or a template, and a Shannon entropy of at least 3 bits per char.
   */
  static boolean looksRandom(String s, int from, int to, boolean bare) {
    boolean lower = false;
    boolean upper = false;
    boolean digit = false;
    boolean other = false;
    boolean identifier = isLetter(s.charAt(from)) || s.charAt(from) == '_';
    boolean dot = false;
    for (int k = from; k < to; k++) {
      char c = s.charAt(k);
      if (c >= 'a' && c <= 'z') {
        lower = true;
      } else if (c >= 'A' && c <= 'Z') {
        upper = true;
      } else if (isDigit(c)) {
        digit = true;
      } else if (isSpace(c) || c < ' ') {
        return false;
      } else {
        other = true;
        if (c == '.') {
          dot = true;
        } else if (c != '_') {
          identifier = false;
        }
      }
    }
    char first = s.charAt(from);
    if (first == '$' || first == '%' || first == '<' || first == '{' || first == '*') {
      return false;
    }
    if (s.indexOf("${", from) >= 0 && s.indexOf("${", from) < to
        || s.indexOf("{{", from) >= 0 && s.indexOf("{{", from) < to) {
      return false;
    }
    if (identifier && bare && (dot || !digit)) {
      return false; // token = getToken, password = config.db.password
    }
    if (!lower && !digit && upper) {
      return false; // YOUR_API_KEY
    }
    int classes = (lower ? 1 : 0) + (upper ? 1 : 0) + (digit ? 1 : 0) + (other ? 1 : 0);
    if (classes < 2) {
      return false;
    }
    return entropy(s, from, to) >= 3.0;
  }

  private static double entropy(String s, int from, int to) {
    int[] counts = new int[128];
    int extra = 0;
    for (int k = from; k < to; k++) {
      char c = s.charAt(k);
      if (c < 128) {
        counts[c]++;
      } else {
        extra++;
      }
    }
    double len = to - from;
    double h = 0;
    for (int c : counts) {
      if (c > 0) {
        double p = c / len;
        h -= p * Math.log(p);
      }
    }
    if (extra > 0) {
      double p = extra / len;
      h -= p * Math.log(p);
    }
    return h / Math.log(2);
  }

  // ---------------------------------------------------------------- PEM

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
    add(scan, RedactionType.PRIVATE_KEY, i, blockEnd);
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

  // ---------------------------------------------------------------- words: keys, tokens, IBAN

  private int wordStart(String s, int i, Scan scan) {
    int n = s.length();
    char c = s.charAt(i);
    if (i + 3 < n
        && isLetter(s.charAt(i + 1))
        && isDigit(s.charAt(i + 2))
        && isDigit(s.charAt(i + 3))
        && is(RedactionType.IBAN)) {
      int end = iban(s, i, scan);
      if (end > i) {
        return end;
      }
    }
    switch (c) {
      case 's' -> {
        if (s.startsWith("sk-ant-", i)) {
          return token(s, i, 7, 20, RedactionType.ANTHROPIC_KEY, scan, true);
        }
        if (s.startsWith("sk-", i)) {
          return token(s, i, 3, 20, RedactionType.OPENAI_KEY, scan, true);
        }
        if (s.startsWith("sk_live_", i) || s.startsWith("sk_test_", i)) {
          return alnumToken(s, i, 8, 10, RedactionType.STRIPE_KEY, scan);
        }
      }
      case 'r' -> {
        if (s.startsWith("rk_live_", i) || s.startsWith("rk_test_", i)) {
          return alnumToken(s, i, 8, 10, RedactionType.STRIPE_KEY, scan);
        }
      }
      case 'g' -> {
        if (i + 4 < n
            && s.charAt(i + 1) == 'h'
            && s.charAt(i + 3) == '_'
            && "pousr".indexOf(s.charAt(i + 2)) >= 0) {
          return alnumToken(s, i, 4, 30, RedactionType.GITHUB_TOKEN, scan);
        }
        if (s.startsWith("github_pat_", i)) {
          return token(s, i, 11, 22, RedactionType.GITHUB_TOKEN, scan, false);
        }
        if (s.startsWith("glpat-", i)) {
          return token(s, i, 6, 20, RedactionType.GITLAB_TOKEN, scan, false);
        }
      }
      case 'x' -> {
        if (i + 4 < n
            && s.startsWith("xox", i)
            && "baprs".indexOf(s.charAt(i + 3)) >= 0
            && s.charAt(i + 4) == '-') {
          return token(s, i, 5, 10, RedactionType.SLACK_TOKEN, scan, true);
        }
      }
      case 'h' -> {
        if (s.startsWith("https://hooks.slack.com/", i)) {
          return slackWebhook(s, i, 24, scan);
        }
        if (s.startsWith("http://hooks.slack.com/", i)) {
          return slackWebhook(s, i, 23, scan);
        }
      }
      case 'A' -> {
        if (s.startsWith("AIza", i)) {
          return fixedToken(s, i, 39, RedactionType.GOOGLE_API_KEY, scan);
        }
        for (String prefix : AWS_KEY_PREFIXES) {
          if (s.startsWith(prefix, i)) {
            return awsKeyId(s, i, scan);
          }
        }
      }
      case 'e' -> {
        if (s.startsWith("eyJ", i)) {
          return jwt(s, i, scan);
        }
      }
      case 'B', 'b' -> {
        if (s.regionMatches(true, i, "bearer", 0, 6)) {
          return bearer(s, i, scan);
        }
        if (s.regionMatches(true, i, "basic", 0, 5)) {
          return basic(s, i, scan);
        }
      }
      default -> {}
    }
    return i + 1;
  }

  private int token(
      String s, int i, int prefix, int minBody, RedactionType type, Scan scan, boolean needDigit) {
    int n = s.length();
    int k = i + prefix;
    boolean digit = false;
    boolean letter = false;
    while (k < n && k - i < MAX_TOKEN && isBase64Url(s.charAt(k))) {
      char c = s.charAt(k);
      digit |= isDigit(c);
      letter |= isLetter(c);
      k++;
    }
    if (k - i - prefix < minBody || !letter || (needDigit && !digit)) {
      return k;
    }
    add(scan, type, i, k);
    return k;
  }

  private int alnumToken(String s, int i, int prefix, int minBody, RedactionType type, Scan scan) {
    int n = s.length();
    int k = i + prefix;
    while (k < n && k - i < MAX_TOKEN && isAlnum(s.charAt(k))) {
      k++;
    }
    if (k - i - prefix < minBody || (k < n && isTokenChar(s.charAt(k)))) {
      return k;
    }
    add(scan, type, i, k);
    return k;
  }

  private int fixedToken(String s, int i, int length, RedactionType type, Scan scan) {
    int n = s.length();
    int k = i;
    while (k < n && k - i < length && isBase64Url(s.charAt(k))) {
      k++;
    }
    if (k - i != length || (k < n && isBase64Url(s.charAt(k)))) {
      return i + 1;
    }
    add(scan, type, i, k);
    return k;
  }

  /** AKIA/ASIA + 16 base32 characters. */
  private int awsKeyId(String s, int i, Scan scan) {
    int n = s.length();
    if (i + 20 > n) {
      return i + 1;
    }
    for (int k = i + 4; k < i + 20; k++) {
      char c = s.charAt(k);
      if (!((c >= 'A' && c <= 'Z') || (c >= '2' && c <= '7'))) {
        return i + 1;
      }
    }
    if (i + 20 < n && isTokenChar(s.charAt(i + 20))) {
      return i + 1;
    }
    add(scan, RedactionType.AWS_ACCESS_KEY_ID, i, i + 20);
    return i + 20;
  }

  private int slackWebhook(String s, int i, int prefix, Scan scan) {
    int n = s.length();
    int k = i + prefix;
    if (!(s.startsWith("services/", k)
        || s.startsWith("workflows/", k)
        || s.startsWith("triggers/", k))) {
      return i + 1;
    }
    int bodyStart = k;
    while (k < n && k - i < 512 && (isTokenChar(s.charAt(k)) || s.charAt(k) == '/')) {
      k++;
    }
    if (k - bodyStart < 20) {
      return k;
    }
    add(scan, RedactionType.SLACK_WEBHOOK, i, k);
    return k;
  }

  /** header.payload.signature, base64url, header starting {"... (eyJ). */
  private int jwt(String s, int i, Scan scan) {
    int n = s.length();
    int k = i;
    int[] segLen = new int[3];
    int seg = 0;
    int segStart = k;
    while (k < n && k - i < 16384) {
      char c = s.charAt(k);
      if (isBase64Url(c)) {
        k++;
      } else if (c == '.' && seg < 2) {
        segLen[seg++] = k - segStart;
        k++;
        segStart = k;
      } else {
        break;
      }
    }
    if (seg < 2) {
      return k;
    }
    segLen[2] = k - segStart;
    if (segLen[0] < 10 || segLen[1] < 2 || (k < n && isTokenChar(s.charAt(k)))) {
      return k;
    }
    add(scan, RedactionType.JWT, i, k);
    return k;
  }

  /** "Bearer <token>": the token only. Does not skip it, so a JWT or key inside is named. */
  private int bearer(String s, int i, Scan scan) {
    int n = s.length();
    int k = i + 6;
    int spaces = 0;
    while (k < n && s.charAt(k) == ' ' && spaces < 3) {
      k++;
      spaces++;
    }
    if (spaces == 0 || !is(RedactionType.BEARER_TOKEN)) {
      return i + 6;
    }
    int ts = k;
    boolean digit = false;
    while (k < n
        && k - ts < MAX_TOKEN
        && (isAlnum(s.charAt(k)) || "._~+/-".indexOf(s.charAt(k)) >= 0)) {
      digit |= isDigit(s.charAt(k));
      k++;
    }
    while (k < n && s.charAt(k) == '=') {
      k++;
    }
    int len = k - ts;
    if (len < 8 || !digit || (k < n && (isAlnum(s.charAt(k)) || s.charAt(k) == '_'))) {
      return ts;
    }
    if (len < 16 && !authorizationBefore(s, i)) {
      return ts;
    }
    add(scan, RedactionType.BEARER_TOKEN, ts, k);
    return ts;
  }

  private static boolean authorizationBefore(String s, int i) {
    int from = Math.max(0, i - 40);
    return containsIgnoreCase(s, from, i, "authorization")
        || containsIgnoreCase(s, from, i, "auth");
  }

  /** "Basic <base64 of user:password>": the credential only, when it decodes to user:password. */
  private int basic(String s, int i, Scan scan) {
    int n = s.length();
    int k = i + 5;
    int spaces = 0;
    while (k < n && s.charAt(k) == ' ' && spaces < 3) {
      k++;
      spaces++;
    }
    if (spaces == 0 || !is(RedactionType.BASIC_AUTH)) {
      return i + 5;
    }
    int ts = k;
    while (k < n
        && k - ts < 1024
        && (isAlnum(s.charAt(k)) || s.charAt(k) == '+' || s.charAt(k) == '/')) {
      k++;
    }
    int pad = 0;
    while (k < n && s.charAt(k) == '=' && pad < 2) {
      k++;
      pad++;
    }
    int len = k - ts;
    if (len < 8 || len % 4 != 0 || (k < n && (isAlnum(s.charAt(k)) || s.charAt(k) == '_'))) {
      return ts;
    }
    byte[] decoded;
    try {
      decoded = Base64.getDecoder().decode(s.substring(ts, k));
    } catch (IllegalArgumentException e) {
      return ts;
    }
    String plain = new String(decoded, StandardCharsets.UTF_8);
    int colonAt = plain.indexOf(':');
    if (colonAt <= 0 || colonAt == plain.length() - 1) {
      return ts;
    }
    for (int q = 0; q < plain.length(); q++) {
      if (plain.charAt(q) < ' ' || plain.charAt(q) == '\uFFFD') {
        return ts;
      }
    }
    add(scan, RedactionType.BASIC_AUTH, ts, k);
    return k;
  }

  /** Country code, check digits, BBAN; spaces every four characters allowed; mod-97 checked. */
  private int iban(String s, int i, Scan scan) {
    int n = s.length();
    char c1 = Character.toUpperCase(s.charAt(i));
    char c2 = Character.toUpperCase(s.charAt(i + 1));
    if (c1 < 'A' || c1 > 'Z' || c2 < 'A' || c2 > 'Z') {
      return -1;
    }
    int expected = IBAN_LENGTHS[(c1 - 'A') * 26 + (c2 - 'A')];
    if (expected == 0) {
      return -1;
    }
    char[] buf = new char[expected];
    int count = 0;
    int k = i;
    while (k < n && count < expected) {
      char c = s.charAt(k);
      if (isAlnum(c)) {
        buf[count++] = c;
        k++;
      } else if (c == ' ' && count % 4 == 0 && count > 0 && k + 1 < n && isAlnum(s.charAt(k + 1))) {
        k++;
      } else {
        break;
      }
    }
    if (count != expected || (k < n && (isAlnum(s.charAt(k)) || s.charAt(k) == '_'))) {
      return -1;
    }
    boolean upper = false;
    boolean lower = false;
    for (char c : buf) {
      upper |= c >= 'A' && c <= 'Z';
      lower |= c >= 'a' && c <= 'z';
    }
    if (upper && lower) {
      return -1;
    }
    if (!Checksums.ibanMod97(buf, count)) {
      return -1;
    }
    add(scan, RedactionType.IBAN, i, k);
    return k;
  }
}

package dev.sluice.pipeline.redaction.internals;

/** The character classes the recognizers test. Every trigger, key and token is ASCII. */
final class Chars {
  private Chars() {}

  static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  static boolean isLetter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }

  static boolean isAlnum(char c) {
    return isDigit(c) || isLetter(c);
  }

  static boolean isTokenChar(char c) {
    return isAlnum(c) || c == '_' || c == '-';
  }

  static boolean isBase64Url(char c) {
    return isAlnum(c) || c == '_' || c == '-';
  }

  static boolean isHex(char c) {
    return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  static boolean isSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
  }

  /** Whether {@code word} occurs in {@code s[from, to)}, ignoring case. */
  static boolean containsIgnoreCase(String s, int from, int to, String word) {
    int len = word.length();
    // compare the first character cheaply before the full case-insensitive comparison
    char lower = Character.toLowerCase(word.charAt(0));
    char upper = Character.toUpperCase(word.charAt(0));
    for (int k = from; k + len <= to; k++) {
      char c = s.charAt(k);
      if ((c == lower || c == upper) && s.regionMatches(true, k, word, 0, len)) {
        return true;
      }
    }
    return false;
  }
}

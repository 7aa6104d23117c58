package dev.sluice.pipeline.redaction.internals;

import static dev.sluice.pipeline.redaction.internals.Chars.isAlnum;
import static dev.sluice.pipeline.redaction.internals.Chars.isDigit;
import static dev.sluice.pipeline.redaction.internals.Chars.isTokenChar;

import dev.sluice.pipeline.redaction.RedactionType;
import java.util.Set;

/**
 * Tokens whose fixed part is in the middle, found at that marker with a bounded look-back: a
 * Terraform Cloud token ({@code <14>.atlasv1.<60-70>}), an Azure AD client secret ({@code
 * <3>\dQ~<31-34>}), a Mailchimp key ({@code <32 hex>-us<dc>}), a Telegram bot token ({@code <bot
 * id>:A<34>}) and a Facebook app access token ({@code <app id>|<app secret>}).
 */
final class EmbeddedMarkerRecognizer implements Recognizer {
  @Override
  public String triggers() {
    return ".~-:|";
  }

  @Override
  public boolean atWordStart() {
    return false;
  }

  @Override
  public Set<RedactionType> emits() {
    return Set.of(RedactionType.API_KEY);
  }

  @Override
  public int scan(String s, int i, Scan scan) {
    if (!scan.on(RedactionType.API_KEY)) {
      return DECLINE;
    }
    // the character after the marker rules out almost every position before any other work
    char next = i + 1 < s.length() ? s.charAt(i + 1) : 0;
    switch (s.charAt(i)) {
      case '.':
        return next == 'a' && s.startsWith(".atlasv1.", i) ? terraform(s, i, scan) : DECLINE;
      case '~':
        return azureClientSecret(s, i, scan);
      case '-':
        return next == 'u' && s.startsWith("-us", i) ? mailchimp(s, i, scan) : DECLINE;
      case ':':
        return telegram(s, i, scan);
      case '|':
        return facebookAppToken(s, i, scan);
      default:
        return DECLINE;
    }
  }

  /** {@code <14 alnum>.atlasv1.<60-70 base64url or =>}. */
  private static int terraform(String s, int dot, Scan scan) {
    int start = dot - 14;
    if (!run(s, start, dot, KIND_ALNUM) || startsInsideWord(s, start)) {
      return DECLINE;
    }
    int from = dot + 9;
    int k = from;
    while (k < s.length() && k - from <= 70 && (isTokenChar(s.charAt(k)) || s.charAt(k) == '=')) {
      k++;
    }
    if (k - from < 60 || k - from > 70 || !TokenFormat.notPlaceholder(s, from, k)) {
      return DECLINE;
    }
    scan.add(RedactionType.API_KEY, "hashicorp", start, k);
    return k;
  }

  /** {@code <3 of [alnum_~.]><digit>Q~<31-34 of [alnum_~.-]>}, at the {@code ~}. */
  private static int azureClientSecret(String s, int tilde, Scan scan) {
    int start = tilde - 5;
    if (start < 0 || s.charAt(tilde - 1) != 'Q' || !isDigit(s.charAt(tilde - 2))) {
      return DECLINE;
    }
    if (!run(s, start, tilde - 2, KIND_AZURE) || (start > 0 && azure(s.charAt(start - 1)))) {
      return DECLINE;
    }
    int from = tilde + 1;
    int k = from;
    while (k < s.length() && k - from <= 35 && azure(s.charAt(k))) {
      k++;
    }
    if (k - from == 35 && s.charAt(k - 1) == '.') {
      k--; // the sentence's full stop
    } else if (k < s.length() && azure(s.charAt(k))) {
      return DECLINE;
    }
    if (k - from < 31 || k - from > 34 || !TokenFormat.notPlaceholder(s, start, k)) {
      return DECLINE;
    }
    scan.add(RedactionType.API_KEY, "azure", start, k);
    return k;
  }

  /** {@code <32 lower-case hex>-us<1-2 digits>}, at the {@code -}. */
  private static int mailchimp(String s, int dash, Scan scan) {
    int start = dash - 32;
    if (!run(s, start, dash, KIND_HEX_LOWER) || startsInsideWord(s, start)) {
      return DECLINE;
    }
    int k = dash + 3;
    int digits = k;
    while (k < s.length() && k - digits < 3 && isDigit(s.charAt(k))) {
      k++;
    }
    if (k == digits || k - digits > 2 || (k < s.length() && isTokenChar(s.charAt(k)))) {
      return DECLINE;
    }
    if (!TokenFormat.notPlaceholder(s, start, dash)) {
      return DECLINE;
    }
    scan.add(RedactionType.API_KEY, "mailchimp", start, k);
    return k;
  }

  /** {@code <5-16 digit bot id>:A<34 base64url>}, at the {@code :}. */
  private static int telegram(String s, int colon, Scan scan) {
    int n = s.length();
    if (colon + 36 > n || s.charAt(colon + 1) != 'A') {
      return DECLINE;
    }
    int start = colon;
    while (start > 0 && colon - start < 17 && isDigit(s.charAt(start - 1))) {
      start--;
    }
    if (colon - start < 5 || colon - start > 16 || startsInsideWord(s, start)) {
      return DECLINE;
    }
    if (start > 0 && (s.charAt(start - 1) == ':' || s.charAt(start - 1) == '.')) {
      return DECLINE; // a time or a version, not a bot id
    }
    int from = colon + 1;
    int k = from;
    while (k < n && k - from <= 35 && isTokenChar(s.charAt(k))) {
      k++;
    }
    if (k - from != 35 || !TokenFormat.notPlaceholder(s, from, k)) {
      return DECLINE;
    }
    scan.add(RedactionType.API_KEY, "telegram", start, k);
    return k;
  }

  /** {@code <15-16 digit app id>|<32 hex digit app secret>}: an app access token. */
  private static int facebookAppToken(String s, int bar, Scan scan) {
    int start = bar;
    while (start > 0 && bar - start < 17 && isDigit(s.charAt(start - 1))) {
      start--;
    }
    if (bar - start < 15 || bar - start > 16 || startsInsideWord(s, start)) {
      return DECLINE;
    }
    int from = bar + 1;
    int k = from;
    while (k < s.length() && k - from <= APP_SECRET_HEX && isTokenChar(s.charAt(k))) {
      k++;
    }
    if (k - from != APP_SECRET_HEX
        || !lowerHex(s, from, k)
        || !TokenFormat.notPlaceholder(s, from, k)) {
      return DECLINE;
    }
    scan.add(RedactionType.API_KEY, "facebook", start, k);
    return k;
  }

  /** Facebook's app secret: 32 lower-case hex digits (a SHA-1 or a UUID after an id is not one). */
  private static final int APP_SECRET_HEX = 32;

  private static boolean lowerHex(String s, int from, int to) {
    for (int k = from; k < to; k++) {
      char c = s.charAt(k);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return false;
      }
    }
    return true;
  }

  private static final int KIND_ALNUM = 0;
  private static final int KIND_HEX_LOWER = 1;
  private static final int KIND_AZURE = 2;

  /**
   * Whether every character of {@code s[from, to)} is of {@code kind} (false when out of range).
   */
  private static boolean run(String s, int from, int to, int kind) {
    if (from < 0) {
      return false;
    }
    for (int k = from; k < to; k++) {
      char c = s.charAt(k);
      boolean ok;
      if (kind == KIND_ALNUM) {
        ok = isAlnum(c);
      } else if (kind == KIND_HEX_LOWER) {
        ok = isDigit(c) || (c >= 'a' && c <= 'f');
      } else {
        ok = azure(c);
      }
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  private static boolean azure(char c) {
    return isTokenChar(c) || c == '.' || c == '~';
  }

  private static boolean startsInsideWord(String s, int start) {
    return start > 0 && isTokenChar(s.charAt(start - 1));
  }
}

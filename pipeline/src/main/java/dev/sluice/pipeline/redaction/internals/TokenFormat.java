package dev.sluice.pipeline.redaction.internals;

import static dev.sluice.pipeline.redaction.internals.Chars.isDigit;
import static dev.sluice.pipeline.redaction.internals.Chars.isTokenChar;

import dev.sluice.pipeline.redaction.RedactionType;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * One provider's documented token shape: a literal prefix, then parts (runs of an alphabet with a
 * length range, literal separators, optional groups), and a check. Matching reads forward once,
 * each run greedy up to its maximum, so it is linear and bounded by the format's longest token.
 *
 * @param provider short lower-case id of the issuer ({@code github}, {@code datadog})
 * @param type what a match is redacted as
 * @param prefix the literal the token starts with (case-sensitive, as issued)
 * @param parts what follows the prefix, in order
 * @param check what the characters must also satisfy
 * @param skipsWhenInvalid whether a token with this prefix that fails is skipped whole (a
 *     distinctive prefix), or its position declined so other rules read it
 */
record TokenFormat(
    String provider,
    RedactionType type,
    String prefix,
    List<Part> parts,
    Check check,
    boolean skipsWhenInvalid) {

  TokenFormat(String provider, RedactionType type, String prefix, List<Part> parts, Check check) {
    this(provider, type, prefix, parts, check, distinctive(prefix));
  }

  TokenFormat {
    if (provider == null
        || provider.isEmpty()
        || !provider.equals(provider.toLowerCase(Locale.ROOT))) {
      throw new IllegalArgumentException("provider must be a lower-case id");
    }
    if (type == null || prefix == null || check == null) {
      throw new NullPointerException("type, prefix and check");
    }
    parts = List.copyOf(parts);
    if (parts.isEmpty()) {
      throw new IllegalArgumentException("a format needs parts");
    }
  }

  /** A piece of a token after its prefix. */
  sealed interface Part permits Literal, Run, Optional {}

  /** Exactly this text. */
  record Literal(String text) implements Part {}

  /** Between {@code min} and {@code max} characters of {@code alphabet}. */
  record Run(Alphabet alphabet, int min, int max) implements Part {
    Run {
      if (min < 0 || max < min) {
        throw new IllegalArgumentException("bad run " + min + ".." + max);
      }
    }
  }

  /** {@code literal} followed by {@code run}, or nothing. */
  record Optional(String literal, Run run) implements Part {}

  /** The character sets tokens are written in. */
  enum Alphabet {
    DIGIT(Sets.DIGITS),
    HEX(Sets.DIGITS + "abcdefABCDEF"),
    HEX_LOWER(Sets.DIGITS + "abcdef"),
    HEX_UPPER(Sets.DIGITS + "ABCDEF"),
    LOWER(Sets.LOWER),
    LETTER(Sets.UPPER + Sets.LOWER),
    ALNUM(Sets.ALNUM),
    ALNUM_LOWER(Sets.DIGITS + Sets.LOWER),
    ALNUM_UPPER(Sets.DIGITS + Sets.UPPER),
    BASE32_UPPER(Sets.UPPER + "234567"),
    BASE32_LOWER(Sets.LOWER + "234567"),
    /** Bech32's data characters, upper-case (age keys). */
    BECH32_UPPER("QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L"),
    /** Letters, digits and {@code _}. */
    WORD(Sets.ALNUM + "_"),
    BASE64URL(Sets.ALNUM + "_-"),
    /** Standard base64 without padding: letters, digits, {@code +}, {@code /}. */
    BASE64(Sets.ALNUM + "+/"),
    /** Either base64 alphabet. */
    BASE64_ANY(Sets.ALNUM + "_-+/"),
    /** Base64url and its padding. */
    BASE64URL_PAD(Sets.ALNUM + "_-="),
    /** Standard base64 and its padding. */
    BASE64_PAD(Sets.ALNUM + "+/="),
    /** Letters, digits and {@code -}. */
    ALNUM_DASH(Sets.ALNUM + "-"),
    /** Letters, digits and {@code %} (a percent-encoded token). */
    ALNUM_PERCENT(Sets.ALNUM + "%"),
    /** {@code _} or {@code -}. */
    SEPARATOR("_-"),
    /** Letters, digits, {@code _ - . =}. */
    TOKEN_DOT(Sets.ALNUM + "_-.="),
    /** Letters, digits, {@code _ - . ~} (Azure client secrets). */
    AZURE(Sets.ALNUM + "_-.~"),
    PADDING("=");

    // membership of the 128 ASCII characters as two 64-bit masks: a test is a shift and an and
    private final long low;
    private final long high;

    Alphabet(String chars) {
      long lo = 0;
      long hi = 0;
      for (int k = 0; k < chars.length(); k++) {
        char c = chars.charAt(k);
        if (c < 64) {
          lo |= 1L << c;
        } else {
          hi |= 1L << (c - 64);
        }
      }
      this.low = lo;
      this.high = hi;
    }

    boolean has(char c) {
      return c < 64 ? (low & (1L << c)) != 0 : c < 128 && (high & (1L << (c - 64))) != 0;
    }

    /** The characters, in a fixed order (the property tests draw from them). */
    String chars() {
      StringBuilder sb = new StringBuilder();
      for (char c = 0; c < 128; c++) {
        if (has(c)) {
          sb.append(c);
        }
      }
      return sb.toString();
    }
  }

  /** The character sets alphabets are built from (a holder: enum constants cannot see statics). */
  private static final class Sets {
    static final String DIGITS = "0123456789";
    static final String UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    static final String LOWER = "abcdefghijklmnopqrstuvwxyz";
    static final String ALNUM = DIGITS + UPPER + LOWER;
  }

  /** What a token's characters must satisfy beyond its shape. */
  enum Check {
    /** Not a placeholder ({@link TokenFormat#notPlaceholder}). */
    RANDOM,
    /** RANDOM, and a letter and a digit somewhere (the open-ended legacy formats). */
    LETTER_AND_DIGIT,
    /**
     * GitHub's and npm's: the last 6 characters are the CRC32 of the 30 before them, in base62
     * ({@code 0-9A-Za-z}), padded with {@code 0}.
     */
    CRC32_BASE62,
    /** The body after the prefix's {@code eyJ} is base64 of a JSON object (1Password). */
    BASE64_JSON
  }

  /**
   * Whether the prefix is distinctive enough to skip a token that starts with it but fails: three
   * characters or more, one of them not a letter or digit ({@code ghp_}, {@code sk-}).
   */
  private static boolean distinctive(String prefix) {
    if (prefix.length() < 3) {
      return false;
    }
    for (int k = 0; k < prefix.length(); k++) {
      if (!Chars.isAlnum(prefix.charAt(k))) {
        return true;
      }
    }
    return false;
  }

  /**
   * The end of the token of this format that starts at {@code i} (where the prefix has matched),
   * reading no further than {@code limit}; or -1. The character after the end must not continue the
   * token.
   */
  int match(String s, int i, int limit) {
    int k = i + prefix.length();
    int lastRunStart = k;
    Run lastRun = null;
    for (Part part : parts) {
      if (part instanceof Literal literal) {
        if (!startsWith(s, k, limit, literal.text())) {
          return -1;
        }
        k += literal.text().length();
        lastRun = null;
      } else if (part instanceof Run run) {
        lastRunStart = k;
        lastRun = run;
        k = run(s, k, limit, run);
        if (k < 0) {
          return -1;
        }
      } else if (part instanceof Optional optional) {
        if (startsWith(s, k, limit, optional.literal())) {
          int from = k + optional.literal().length();
          int e = run(s, from, limit, optional.run());
          if (e >= 0) {
            lastRunStart = from;
            lastRun = optional.run();
            k = e;
          }
        }
      }
    }
    Alphabet tail = lastRun == null ? null : lastRun.alphabet();
    if (k < limit && (isTokenChar(s.charAt(k)) || (tail != null && tail.has(s.charAt(k))))) {
      return -1; // the token goes on: too long, or another alphabet
    }
    if (tail != null && tail.has('.')) {
      // a sentence's full stop is not part of the token
      while (k - lastRunStart > lastRun.min() && s.charAt(k - 1) == '.') {
        k--;
      }
    }
    return passes(s, i + prefix.length(), k) ? k : -1;
  }

  private static boolean startsWith(String s, int k, int limit, String text) {
    return k + text.length() <= limit && s.startsWith(text, k);
  }

  private static int run(String s, int k, int limit, Run run) {
    int end = Math.min(limit, k + run.max());
    int e = k;
    while (e < end && run.alphabet().has(s.charAt(e))) {
      e++;
    }
    return e - k < run.min() ? -1 : e;
  }

  /** The check over the token's characters after its prefix, {@code s[from, to)}. */
  boolean passes(String s, int from, int to) {
    switch (check) {
      case CRC32_BASE62:
        return notPlaceholder(s, from, to) && validCrc32(s, from, to);
      case BASE64_JSON:
        return notPlaceholder(s, from, to) && base64Json(s, from, to);
      case LETTER_AND_DIGIT:
        return notPlaceholder(s, from, to) && letterAndDigit(s, from, to);
      case RANDOM:
      default:
        return notPlaceholder(s, from, to);
    }
  }

  private static boolean letterAndDigit(String s, int from, int to) {
    boolean letter = false;
    boolean digit = false;
    for (int k = from; k < to; k++) {
      char c = s.charAt(k);
      letter |= Chars.isLetter(c);
      digit |= isDigit(c);
    }
    return letter && digit;
  }

  /** Words documentation writes for a key; each starts with a different letter. */
  private static final String[] PLACEHOLDER_WORDS = {"xxxx", "your", "redacted", "placeholder"};

  /**
   * Not a placeholder: no word that documentation writes instead of a key ({@code xxxx}, {@code
   * YOUR}); at least four different characters; no run of equal characters other than base64's zero
   * {@code A} of six (of sixteen in a body over 100 characters).
   */
  static boolean notPlaceholder(String s, int from, int to) {
    if (placeholderWord(s, from, to)) {
      return false;
    }
    int longestRun = to - from > 100 ? 16 : 6;
    int run = 0;
    char prev = 0;
    long seen0 = 0;
    long seen1 = 0;
    for (int k = from; k < to; k++) {
      char c = s.charAt(k);
      run = c == prev ? run + 1 : 1;
      prev = c;
      if (run >= longestRun && c != 'A') {
        return false;
      }
      if (c < 64) {
        seen0 |= 1L << c;
      } else if (c < 128) {
        seen1 |= 1L << (c - 64);
      }
    }
    return Long.bitCount(seen0) + Long.bitCount(seen1) >= Math.min(4, to - from);
  }

  /**
   * Whether {@code s[from, to)} holds a word that stands for a secret in documentation ({@code
   * xxxx}, {@code your}, {@code redacted}, {@code placeholder}) or a mask or
   * template mark ({@code ****}, {@code <}, <code>{{</code>, {@code ${}).
   */
  static boolean placeholderWord(String s, int from, int to) {
    // one pass; only a candidate first character costs a comparison
    for (int k = from; k < to; k++) {
      char c = s.charAt(k);
      switch (c) {
        case 'x', 'X', 'e', 'E', 'y', 'Y', 'r', 'R', 'p', 'P' -> {
          char lower = (char) (c | 0x20);
          for (String word : PLACEHOLDER_WORDS) {
            if (word.charAt(0) == lower
                && k + word.length() <= to
                && s.regionMatches(true, k, word, 0, word.length())) {
              return true;
            }
          }
        }
        case '<' -> {
          return true;
        }
        case '*' -> {
          if (k + 4 <= to && s.startsWith("****", k)) {
            return true;
          }
        }
        case '{', '$' -> {
          if (opensTemplate(s, k, to)) {
            return true;
          }
        }
        default -> {}
      }
    }
    return false;
  }

  /**
   * Whether a template mark, {@code ${} or <code>{{</code>, starts in {@code s[from, to)}; its brace
   * may lie just past {@code to}, as in {@code abc${HOME}} read up to the brace.
   */
  static boolean hasTemplateMark(String s, int from, int to) {
    for (int k = from; k < to; k++) {
      if (opensTemplate(s, k, s.length())) {
        return true;
      }
    }
    return false;
  }

  /** A template mark ({@code ${} or <code>{{</code>) starts at {@code k}, whole before {@code to}. */
  private static boolean opensTemplate(String s, int k, int to) {
    char c = s.charAt(k);
    return (c == '$' || c == '{') && k + 2 <= to && s.charAt(k + 1) == '{';
  }

  private static boolean validCrc32(String s, int from, int to) {
    if (to - from != 36) {
      return false;
    }
    return s.regionMatches(to - 6, Checksums.crc32Base62(s, from, to - 6), 0, 6);
  }

  /** ops_ + base64 of a JSON object: decodes, and the text is braced. */
  private static boolean base64Json(String s, int from, int to) {
    String body = s.substring(from, to).replace('-', '+').replace('_', '/');
    byte[] decoded;
    try {
      decoded = Base64.getMimeDecoder().decode(body);
    } catch (IllegalArgumentException e) {
      return false;
    }
    String json = new String(decoded, StandardCharsets.UTF_8).trim();
    return json.length() > 2 && json.charAt(0) == '{' && json.indexOf('"') > 0;
  }

  @Override
  public String toString() {
    return "TokenFormat[" + provider + " " + prefix + "]";
  }
}

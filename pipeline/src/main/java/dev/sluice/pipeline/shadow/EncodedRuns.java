package dev.sluice.pipeline.shadow;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Finds the encoded runs of a text and decodes them: JSON/Java {@code \\uXXXX} escapes (surrogate
 * pairs included) and {@code %XX} percent-encoding, base64 (standard or URL-safe, padded or not)
 * and hex. What a run decodes to is decoded again, to a depth of {@value #MAX_DEPTH}. A run counts
 * only when its bytes are UTF-8 text, nearly all printable ({@link Utf8Sink#text}): the check stops
 * at the first bytes of random data, so API keys, hashes and images cost a few bytes each.
 *
 * <p>Each decoded character maps to the characters that wrote it: its own escape, its 4-character
 * base64 group, its 2-character hex pair; so a match in the decoded text maps to the span of the
 * original that holds it, whole escapes and groups. Characters between escapes are copied and map
 * to themselves. Linear in the text: a run is decoded in windows of {@value #MAX_RUN} characters,
 * and a text's runs, at every depth, decode to at most {@value #MAX_DECODED} characters in all.
 *
 * <p>Knows nothing of what the decoded text is used for: the redactor scans it for values, the
 * context firewall can score it.
 */
public final class EncodedRuns {
  /** How many times decoded text is decoded again: {@code %2541} is two levels, base64 of it 3. */
  public static final int MAX_DEPTH = 3;

  /** The longest stretch of the text decoded as one segment; longer runs go in windows. */
  public static final int MAX_RUN = 1 << 16;

  /** What all the runs of one text may decode to, at every depth, before decoding stops. */
  public static final int MAX_DECODED = 1 << 18;

  /**
   * The shortest base64 or hex run tried: 12 characters hold 9 (base64) or 6 (hex) bytes, enough
   * for the shortest value worth redacting; shorter runs are ordinary words.
   */
  public static final int MIN_RUN = 12;

  /**
   * How far around an escape the copied text reaches, in whole words of the same line, so that a
   * name before an encoded value ({@code password: "\\u0058…"}) comes along with it.
   */
  private static final int CONTEXT = 64;

  /** Base64 value of each ASCII character, -1 for none; both alphabets. */
  private static final byte[] BASE64 = new byte[128];

  static {
    java.util.Arrays.fill(BASE64, (byte) -1);
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    for (int k = 0; k < alphabet.length(); k++) {
      BASE64[alphabet.charAt(k)] = (byte) k;
    }
    BASE64['+'] = 62;
    BASE64['-'] = 62;
    BASE64['/'] = 63;
    BASE64['_'] = 63;
  }

  /** How a run was written. */
  public enum Encoding {
    /** {@code \\uXXXX} and {@code %XX} escapes, with the text between them. */
    ESCAPES,
    BASE64,
    HEX
  }

  /**
   * One decoded run: how it was written, at which depth it was found (1: in the text itself), and
   * its decoded text mapped to the text given to {@link #decode}.
   */
  public record Decoded(Encoding encoding, int depth, MappedText text) {
    public Decoded {
      Objects.requireNonNull(encoding, "encoding");
      Objects.requireNonNull(text, "text");
      if (text.length() == 0) {
        throw new IllegalArgumentException("empty decoded text");
      }
    }

    /** Where the run starts in the text given to {@link #decode}. */
    public int start() {
      return text.sourceStart(0);
    }

    /** Where the run ends in the text given to {@link #decode}. */
    public int end() {
      return text.sourceEnd(text.length());
    }

    /** Hides the decoded text: it may be a secret. */
    @Override
    public String toString() {
      return "Decoded[" + encoding + " depth=" + depth + " " + start() + ".." + end() + "]";
    }
  }

  private EncodedRuns() {}

  /** Every run of {@code text} that decodes to text, and what those decode to, in text order. */
  public static List<Decoded> decode(String text) {
    List<Decoded> found = new ArrayList<>();
    decodeLevel(MappedText.identity(text), 1, new int[] {MAX_DECODED}, found);
    return found;
  }

  private static void decodeLevel(MappedText source, int depth, int[] budget, List<Decoded> out) {
    List<Decoded> level = new ArrayList<>();
    String s = source.text();
    escapes(s, depth, budget, level);
    runs(s, depth, budget, level);
    level.sort((a, b) -> Integer.compare(a.start(), b.start()));
    for (Decoded d : level) {
      Decoded mapped = new Decoded(d.encoding(), depth, d.text().through(source));
      out.add(mapped);
      if (depth < MAX_DEPTH && budget[0] > 0) {
        decodeLevel(mapped.text(), depth + 1, budget, out);
      }
    }
  }

  // --- what a fast path asks (ShadowText.isPlain) -----------------------------------------------

  /** A base64 or hex character: what a run is made of. */
  public static boolean isRunChar(char c) {
    return c < 128 && BASE64[c] >= 0;
  }

  /** A {@code \\uXXXX} or {@code %XX} escape starts at {@code i}. */
  public static boolean isEscapeAt(String s, int i) {
    return isUnicodeEscapeAt(s, i) || isPercentEscapeAt(s, i);
  }

  /**
   * Whether the run of run characters {@code s[from, to)} may decode to text: the first bytes are
   * decoded and checked, as {@link #decode} would. False means {@link #decode} finds nothing there.
   */
  public static boolean mayDecode(String s, int from, int to) {
    if (to - from < MIN_RUN) {
      return false;
    }
    int probeEnd = Math.min(to, from + 2 * MIN_RUN);
    int hexFrom = hexStart(s, from, to);
    if (hexFrom >= 0) {
      if (hex(s, hexFrom, Math.min(to, hexFrom + 2 * MIN_RUN), Utf8Sink.text(null))) {
        return true;
      }
    }
    return base64(s, from, probeEnd, to, Utf8Sink.text(null));
  }

  // --- escapes --------------------------------------------------------------------------------

  private static boolean isUnicodeEscapeAt(String s, int i) {
    return i + 6 <= s.length()
        && s.charAt(i) == '\\'
        && s.charAt(i + 1) == 'u'
        && hexValue(s.charAt(i + 2)) >= 0
        && hexValue(s.charAt(i + 3)) >= 0
        && hexValue(s.charAt(i + 4)) >= 0
        && hexValue(s.charAt(i + 5)) >= 0;
  }

  private static boolean isPercentEscapeAt(String s, int i) {
    return i + 3 <= s.length()
        && s.charAt(i) == '%'
        && hexValue(s.charAt(i + 1)) >= 0
        && hexValue(s.charAt(i + 2)) >= 0;
  }

  /** The first escape in {@code s[from, to)}, or -1; stops at a line break when asked. */
  private static int nextEscape(String s, int from, int to, boolean sameLine) {
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if ((c == '\\' || c == '%') && isEscapeAt(s, i)) {
        return i;
      }
      if (sameLine && (c == '\n' || c == '\r')) {
        return -1;
      }
    }
    return -1;
  }

  /**
   * Escape regions: from the words just before an escape (same line, up to {@value #CONTEXT}
   * characters) to the end of the word holding the last escape that follows within that distance.
   */
  private static void escapes(String s, int depth, int[] budget, List<Decoded> out) {
    int n = s.length();
    int floor = 0;
    int i = 0;
    while (i < n && budget[0] > 0) {
      int e = nextEscape(s, i, n, false);
      if (e < 0) {
        return;
      }
      int start = contextStart(s, e, floor);
      int end = wordEnd(s, e, start + MAX_RUN);
      while (end < start + MAX_RUN) {
        int next = nextEscape(s, end, Math.min(n, end + CONTEXT), true);
        if (next < 0) {
          break;
        }
        end = wordEnd(s, next, start + MAX_RUN);
      }
      end = Math.min(end, start + MAX_RUN);
      end = notInsideEscape(s, start, end);
      MappedText decoded = decodeEscapes(s, start, end);
      if (decoded != null && take(budget, decoded)) {
        out.add(new Decoded(Encoding.ESCAPES, depth, decoded));
      }
      floor = end;
      i = Math.max(end, e + 1);
    }
  }

  /** The leftmost word start within {@value #CONTEXT} characters before {@code e}, same line. */
  private static int contextStart(String s, int e, int floor) {
    int limit = Math.max(floor, e - CONTEXT);
    int start = e;
    for (int j = e - 1; j >= limit; j--) {
      char c = s.charAt(j);
      if (c == '\n' || c == '\r') {
        break;
      }
      if (!isSpace(c) && (j == floor || isSpace(s.charAt(j - 1)))) {
        start = j;
      }
    }
    return start;
  }

  /** The end of the word holding {@code i}, looking no further than {@code limit}. */
  private static int wordEnd(String s, int i, int limit) {
    int n = Math.min(s.length(), limit);
    int k = i;
    while (k < n && !isSpace(s.charAt(k))) {
      k++;
    }
    return k;
  }

  /** Moves a window's end back so that it does not cut an escape (or a surrogate pair) in two. */
  private static int notInsideEscape(String s, int start, int end) {
    for (int k = Math.max(start, end - 11); k < end; k++) {
      int len = isUnicodeEscapeAt(s, k) ? 6 : isPercentEscapeAt(s, k) ? 3 : 0;
      if (len > 0 && k + len > end) {
        return k > start ? k : end;
      }
    }
    return end;
  }

  private static MappedText decodeEscapes(String s, int from, int to) {
    MappedText.Builder out = new MappedText.Builder(to - from);
    Utf8Sink sink = Utf8Sink.text(out);
    int i = from;
    while (i < to) {
      if (i + 6 <= to && isUnicodeEscapeAt(s, i)) {
        char c = (char) hex4(s, i + 2);
        if (Character.isHighSurrogate(c) && i + 12 <= to && isUnicodeEscapeAt(s, i + 6)) {
          char low = (char) hex4(s, i + 8);
          if (Character.isLowSurrogate(low)) {
            if (!sink.putPair(c, i, i + 6, low, i + 6, i + 12)) {
              return null;
            }
            i += 12;
            continue;
          }
        }
        if (!sink.putChar(c, i, i + 6)) {
          return null;
        }
        i += 6;
      } else if (i + 3 <= to && isPercentEscapeAt(s, i)) {
        int b = (hexValue(s.charAt(i + 1)) << 4) | hexValue(s.charAt(i + 2));
        if (!sink.put(b, i, i + 3)) {
          return null;
        }
        i += 3;
      } else {
        if (!sink.endSequence()) {
          return null;
        }
        out.append(s.charAt(i), i, i + 1);
        i++;
      }
    }
    return sink.endSequence() && sink.good() > 0 ? out.build() : null;
  }

  // --- base64 and hex ---------------------------------------------------------------------------

  /** Maximal runs of base64 characters, with their padding. */
  private static void runs(String s, int depth, int[] budget, List<Decoded> out) {
    int n = s.length();
    int i = 0;
    while (i < n && budget[0] > 0) {
      if (!isRunChar(s.charAt(i))) {
        i++;
        continue;
      }
      int from = i;
      while (i < n && isRunChar(s.charAt(i))) {
        i++;
      }
      int to = i;
      while (i < n && i - to < 2 && s.charAt(i) == '=') {
        i++;
      }
      if (to - from >= MIN_RUN) {
        decodeRun(s, from, to, i, depth, budget, out);
      }
    }
  }

  private static void decodeRun(
      String s, int from, int to, int padEnd, int depth, int[] budget, List<Decoded> out) {
    int hexFrom = hexStart(s, from, to);
    // a run of hex digits that is not hex text may still be base64 that uses only those
    if (hexFrom < 0 || !windows(Encoding.HEX, s, hexFrom, to, to, depth, budget, out)) {
      windows(Encoding.BASE64, s, from, to, padEnd, depth, budget, out);
    }
  }

  /**
   * Decodes {@code s[from, to)} in windows of {@value #MAX_RUN} (a multiple of both group sizes, so
   * every window starts on a group). False when the first window is not text: then none is tried.
   */
  private static boolean windows(
      Encoding encoding,
      String s,
      int from,
      int to,
      int padEnd,
      int depth,
      int[] budget,
      List<Decoded> out) {
    for (int w = from; w < to && budget[0] > 0; w += MAX_RUN) {
      int end = Math.min(to, w + MAX_RUN);
      MappedText.Builder text = new MappedText.Builder(end - w);
      Utf8Sink sink = Utf8Sink.text(text);
      if (w > from) {
        sink.midSequence();
      }
      boolean fed =
          encoding == Encoding.HEX
              ? hex(s, w, end, sink)
              : base64(s, w, end, end == to ? padEnd : end, sink);
      if (!fed || !sink.endSequence() || sink.good() == 0) {
        if (w == from) {
          return false;
        }
        continue;
      }
      MappedText decoded = text.build();
      if (take(budget, decoded)) {
        out.add(new Decoded(encoding, depth, decoded));
      }
    }
    return true;
  }

  /**
   * Where the hex digits of a run start when the whole run is an even number of them, after an
   * optional {@code 0x}; -1 when it is not hex.
   */
  private static int hexStart(String s, int from, int to) {
    int start = from;
    if (to - from > 2 && s.charAt(from) == '0' && (s.charAt(from + 1) | 0x20) == 'x') {
      start = from + 2;
    }
    if ((to - start) % 2 != 0 || to - start < MIN_RUN) {
      return -1;
    }
    for (int k = start; k < to; k++) {
      if (hexValue(s.charAt(k)) < 0) {
        return -1;
      }
    }
    return start;
  }

  /** Feeds the bytes of the hex pairs of {@code s[from, to)}; false when they stop being text. */
  private static boolean hex(String s, int from, int to, Utf8Sink sink) {
    for (int k = from; k + 1 < to; k += 2) {
      int b = (hexValue(s.charAt(k)) << 4) | hexValue(s.charAt(k + 1));
      if (!sink.put(b, k, k + 2)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Feeds the bytes of the base64 run {@code s[from, to)}, each mapped to its 4-character group
   * (the last group also takes the padding up to {@code padEnd}); false when the run mixes the two
   * alphabets or stops being text. A trailing sixth of a byte (a run of 4k + 1) is left out.
   */
  private static boolean base64(String s, int from, int to, int padEnd, Utf8Sink sink) {
    boolean standard = false;
    boolean urlSafe = false;
    int acc = 0;
    int bits = 0;
    for (int k = from; k < to; k++) {
      char c = s.charAt(k);
      if (c == '+' || c == '/') {
        standard = true;
      } else if (c == '-' || c == '_') {
        urlSafe = true;
      }
      if (standard && urlSafe) {
        return false;
      }
      acc = (acc << 6) | BASE64[c];
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        int group = from + (k - from) / 4 * 4;
        int groupEnd = group + 4 <= to ? group + 4 : padEnd;
        if (!sink.put((acc >> bits) & 0xFF, group, groupEnd)) {
          return false;
        }
      }
    }
    return true;
  }

  // --- helpers ----------------------------------------------------------------------------------

  /** Charges the budget for {@code decoded}; false (and nothing charged) when it is spent. */
  private static boolean take(int[] budget, MappedText decoded) {
    if (decoded.length() > budget[0]) {
      budget[0] = 0;
      return false;
    }
    budget[0] -= decoded.length();
    return true;
  }

  private static int hex4(String s, int i) {
    return (hexValue(s.charAt(i)) << 12)
        | (hexValue(s.charAt(i + 1)) << 8)
        | (hexValue(s.charAt(i + 2)) << 4)
        | hexValue(s.charAt(i + 3));
  }

  private static int hexValue(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }

  private static boolean isSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
  }
}

package dev.sluice.pipeline.shadow;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Finds the encoded runs of a text and decodes them: JSON/Java {@code \\uXXXX} escapes (surrogate
 * pairs included) and {@code %XX} percent-encoding, base64 (standard or URL-safe, padded or not, on
 * one line or wrapped in lines as MIME and PEM write it) and hex. What a run decodes to is decoded
 * again, to a depth of {@value #MAX_DEPTH}: percent-encoding applied three times, base64 of hex of
 * escapes. A run counts only when its bytes are UTF-8 text, nearly all printable ({@link
 * Utf8Sink#text}): the check stops at the first bytes of random data, so API keys, hashes and
 * images cost a few bytes each.
 *
 * <p>Each decoded character maps to the characters that wrote it: its own escape, its 4-character
 * base64 group, its 2-character hex pair; so a match in the decoded text maps to the span of the
 * original that holds it, whole escapes and groups. Characters between and around escapes are
 * copied and map to themselves. Linear in the text: a run is decoded in windows of {@value
 * #MAX_RUN} characters, and a text's runs, at every depth, decode to at most {@link
 * Reading#maxDecoded} characters in all.
 *
 * <p>Knows nothing of what the decoded text is used for: the redactor reads it with {@link
 * Reading#DEFAULT} and scans it for values, the context firewall reads more text around escapes
 * (its own {@link Reading}) and scores it.
 */
public final class EncodedRuns {
  /** How many times decoded text is decoded again: {@code %2541} is two levels, base64 of it 3. */
  public static final int MAX_DEPTH = 3;

  /** The longest stretch of the text decoded as one segment; longer runs go in windows. */
  public static final int MAX_RUN = 1 << 16;

  /** What all the runs of one text may decode to, at every depth, by default. */
  public static final int MAX_DECODED = 1 << 18;

  /**
   * The shortest base64 or hex run tried: 12 characters hold 9 (base64) or 6 (hex) bytes, enough
   * for the shortest value worth redacting; shorter runs are ordinary words.
   */
  public static final int MIN_RUN = 12;

  /**
   * How far before an escape the copied text reaches by default, in whole words of the same line,
   * so that a name before an encoded value ({@code password: "\\u0058…"}) comes along with it.
   */
  private static final int NAME_CONTEXT = 64;

  /**
   * Escapes closer than this (or than the passage's context after) make one passage; the word
   * holding an escape counts from no further back than this.
   */
  private static final int GAP = 64;

  /** The widest context a reading may ask for on either side of a passage. */
  public static final int MAX_CONTEXT = 1024;

  /**
   * The shortest line of base64 that another line may continue: MIME writes 76 characters a line,
   * PEM 64; a run of words or an identifier broken across lines is shorter.
   */
  public static final int MIN_WRAPPED_LINE = 40;

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

  /**
   * The plain text copied around an escaped passage, in whole words of its line: from the word that
   * holds its first escape, or the leftmost word starting up to {@code before} characters earlier,
   * to the word that holds its last escape, or the rightmost word ending up to {@code after}
   * characters later. An escape within {@code after} characters joins the passage.
   */
  public record Context(int before, int after) {
    /** The words before an escaped value: its name ({@code password: "\\u0058…"}). */
    public static final Context NAME = new Context(NAME_CONTEXT, 0);

    public Context {
      if (before < 0 || after < 0 || before > MAX_CONTEXT || after > MAX_CONTEXT) {
        throw new IllegalArgumentException("context: 0 to " + MAX_CONTEXT + " on each side");
      }
    }
  }

  /**
   * How a caller reads a text's escaped passages, and how much it lets all runs decode to.
   *
   * @param unicode the context of a passage whose first escape is a {@code \\uXXXX} (a JSON or Java
   *     string's)
   * @param percent the context of a passage whose first escape is a {@code %XX} (a URL's)
   * @param minPercentEscapes how many {@code %XX} a passage needs when it holds no {@code \\u}
   *     escape: 1 reads {@code alice%40example.com}; more leaves a link's {@code %20} alone
   * @param maxDecoded what all the runs of one text may decode to, at every depth, before decoding
   *     stops
   */
  public record Reading(Context unicode, Context percent, int minPercentEscapes, int maxDecoded) {
    /**
     * The names before escaped values, every escape, {@value EncodedRuns#MAX_DECODED} characters.
     */
    public static final Reading DEFAULT =
        new Reading(Context.NAME, Context.NAME, 1, EncodedRuns.MAX_DECODED);

    public Reading {
      Objects.requireNonNull(unicode, "unicode");
      Objects.requireNonNull(percent, "percent");
      if (minPercentEscapes < 1 || maxDecoded < 1) {
        throw new IllegalArgumentException("reading: minPercentEscapes and maxDecoded >= 1");
      }
    }
  }

  /** How a run was written. */
  public enum Encoding {
    /** {@code \\uXXXX} and {@code %XX} escapes, with the text between and around them. */
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

  /**
   * Every run of {@code text} that decodes to text, and what those decode to, read with {@link
   * Reading#DEFAULT}.
   */
  public static List<Decoded> decode(String text) {
    return decode(text, Reading.DEFAULT);
  }

  /**
   * Every run of {@code text} that decodes to text, and what those decode to: each run in text
   * order, followed by what was decoded from it.
   */
  public static List<Decoded> decode(String text, Reading reading) {
    Objects.requireNonNull(reading, "reading");
    List<Decoded> found = new ArrayList<>();
    decodeLevel(MappedText.identity(text), 1, reading, new int[] {reading.maxDecoded()}, found);
    return found;
  }

  private static void decodeLevel(
      MappedText source, int depth, Reading reading, int[] budget, List<Decoded> out) {
    List<Decoded> level = new ArrayList<>();
    String s = source.text();
    escapes(s, depth, reading, budget, level);
    runs(s, depth, budget, level);
    level.sort((a, b) -> Integer.compare(a.start(), b.start()));
    for (Decoded d : level) {
      Decoded mapped = new Decoded(d.encoding(), depth, d.text().through(source));
      out.add(mapped);
      if (depth < MAX_DEPTH && budget[0] > 0) {
        decodeLevel(mapped.text(), depth + 1, reading, budget, out);
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
   * Escape passages: from the words just before an escape ({@link Context#before}) to the end of
   * the word holding the last escape that follows within {@value #GAP} (or {@link Context#after})
   * characters on its line, then the words after it ({@link Context#after}). The kind of the first
   * escape chooses the context.
   */
  private static void escapes(
      String s, int depth, Reading reading, int[] budget, List<Decoded> out) {
    int n = s.length();
    int floor = 0;
    int i = 0;
    while (i < n && budget[0] > 0) {
      int e = nextEscape(s, i, n, false);
      if (e < 0) {
        return;
      }
      Context context = isUnicodeEscapeAt(s, e) ? reading.unicode() : reading.percent();
      int reach = Math.max(GAP, context.after());
      int start = contextStart(s, e, floor, context.before());
      int limit = start + MAX_RUN;
      int end = wordEnd(s, e, limit);
      while (end < limit) {
        int next = nextEscape(s, end, Math.min(n, end + reach), true);
        if (next < 0) {
          break;
        }
        end = wordEnd(s, next, limit);
      }
      end = contextEnd(s, Math.min(end, limit), context.after(), limit);
      end = notInsideEscape(s, start, end);
      MappedText decoded = decodeEscapes(s, start, end, reading.minPercentEscapes());
      if (decoded != null && take(budget, decoded)) {
        out.add(new Decoded(Encoding.ESCAPES, depth, decoded));
      }
      floor = end;
      i = Math.max(end, e + 1);
    }
  }

  /**
   * The start of the word holding {@code e} (when it starts within {@value #GAP} characters), or
   * the leftmost word start within {@code before} characters before {@code e}; same line.
   */
  private static int contextStart(String s, int e, int floor, int before) {
    int limit = Math.max(floor, e - Math.max(before, GAP));
    int start = e;
    boolean holding = true;
    for (int j = e - 1; j >= limit; j--) {
      char c = s.charAt(j);
      if (c == '\n' || c == '\r') {
        break;
      }
      if (isSpace(c)) {
        holding = false;
      } else if ((j == floor || isSpace(s.charAt(j - 1))) && (holding || e - j <= before)) {
        start = j;
      }
    }
    return start;
  }

  /**
   * The rightmost word end within {@code after} characters after {@code end} (a word end itself),
   * same line, looking no further than {@code limit}.
   */
  private static int contextEnd(String s, int end, int after, int limit) {
    int max = Math.min(Math.min(s.length(), limit), end + after);
    int last = end;
    for (int j = end; j < max; j++) {
      char c = s.charAt(j);
      if (c == '\n' || c == '\r') {
        break;
      }
      if (!isSpace(c) && (j + 1 == s.length() || isSpace(s.charAt(j + 1)))) {
        last = j + 1;
      }
    }
    return last;
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

  /**
   * The passage {@code s[from, to)} decoded, or null when it is not text or holds too few escapes:
   * at least one {@code \\u} escape or {@code minPercent} percent escapes. A lone surrogate is
   * written U+FFFD, as a UTF-8 encoder writes it: a broken emoji does not make the text around it
   * any less text.
   */
  private static MappedText decodeEscapes(String s, int from, int to, int minPercent) {
    MappedText.Builder out = new MappedText.Builder(to - from);
    Utf8Sink sink = Utf8Sink.text(out);
    int unicode = 0;
    int percent = 0;
    int i = from;
    while (i < to) {
      if (i + 6 <= to && isUnicodeEscapeAt(s, i)) {
        unicode++;
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
        if (Character.isSurrogate(c)) {
          if (!sink.endSequence()) {
            return null;
          }
          out.append('\uFFFD', i, i + 6);
        } else if (!sink.putChar(c, i, i + 6)) {
          return null;
        }
        i += 6;
      } else if (i + 3 <= to && isPercentEscapeAt(s, i)) {
        percent++;
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
    boolean enough = unicode > 0 || percent >= minPercent;
    return enough && sink.endSequence() && out.length() > 0 ? out.build() : null;
  }

  // --- base64 and hex ---------------------------------------------------------------------------

  /**
   * Maximal runs of base64 characters, with their padding; a run that fills its line and goes on on
   * the next ones ({@link #wrappedEnd}) is first read as one run.
   */
  private static void runs(String s, int depth, int[] budget, List<Decoded> out) {
    int n = s.length();
    // lines of a wrapped run that did not read as text are read one by one, each only once
    int unwrappedTo = 0;
    int i = 0;
    while (i < n && budget[0] > 0) {
      if (!isRunChar(s.charAt(i))) {
        i++;
        continue;
      }
      int from = i;
      int to = runEnd(s, from);
      // hex dumps (xxd -p writes 60 digits a line) are read as hex, line by line
      if (from >= unwrappedTo && hexStart(s, from, to) < 0) {
        int wrappedTo = wrappedEnd(s, from, to);
        if (wrappedTo > to) {
          int padEnd = padEnd(s, wrappedTo);
          if (windows(Encoding.BASE64, s, from, wrappedTo, padEnd, depth, budget, out)) {
            i = padEnd;
            continue;
          }
          unwrappedTo = wrappedTo;
        }
      }
      i = padEnd(s, to);
      if (to - from >= MIN_RUN) {
        decodeRun(s, from, to, i, depth, budget, out);
      }
    }
  }

  /** The end of the run of base64 characters that starts at {@code from}. */
  private static int runEnd(String s, int from) {
    int k = from;
    while (k < s.length() && isRunChar(s.charAt(k))) {
      k++;
    }
    return k;
  }

  /** After the run ending at {@code to}: the end of its padding, at most two {@code '='}. */
  private static int padEnd(String s, int to) {
    int k = to;
    while (k < s.length() && k - to < 2 && s.charAt(k) == '=') {
      k++;
    }
    return k;
  }

  /**
   * Where the base64 run {@code s[from, to)} ends when it is wrapped in lines, or {@code to}: each
   * line but the last holds at least {@value #MIN_WRAPPED_LINE} characters, a whole number of
   * 4-character groups, and no padding, and every line holds nothing else, to its line break (after
   * the first, which may follow a name on its line). So every line starts a group.
   */
  private static int wrappedEnd(String s, int from, int to) {
    int n = s.length();
    int lineStart = from;
    int end = to;
    while (end - lineStart >= MIN_WRAPPED_LINE && (end - lineStart) % 4 == 0 && end < n) {
      int next = lineBreakEnd(s, end);
      if (next == end) {
        break; // padding, or the run goes on with other text
      }
      int lineEnd = runEnd(s, next);
      int padded = padEnd(s, lineEnd);
      if (padded - next < 4 || (lineEnd - next) % 4 == 1 || !isLineEnd(s, padded)) {
        break; // not base64 to the end of the line: prose, or a short word
      }
      lineStart = next;
      end = lineEnd;
      if (padded > lineEnd) {
        break; // the padding ends the run
      }
    }
    return end;
  }

  /** After the line break at {@code k} (LF, CR LF or CR); {@code k} when there is none. */
  private static int lineBreakEnd(String s, int k) {
    if (k >= s.length()) {
      return k;
    }
    char c = s.charAt(k);
    if (c == '\r') {
      return k + 1 < s.length() && s.charAt(k + 1) == '\n' ? k + 2 : k + 1;
    }
    return c == '\n' ? k + 1 : k;
  }

  private static boolean isLineEnd(String s, int k) {
    return k == s.length() || s.charAt(k) == '\n' || s.charAt(k) == '\r';
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
   * every window starts on a group; in a wrapped run, counted from the last line start). False when
   * the first window is not text: then none is tried.
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
    for (int w = from, end; w < to && budget[0] > 0; w = end) {
      end = w + MAX_RUN < to ? groupStart(s, w, w + MAX_RUN) : to;
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
   * The start of the group at or before {@code k} in a run whose groups start at {@code w}: lines
   * of a wrapped run are whole groups, so it counts from the last line start after {@code w}.
   */
  private static int groupStart(String s, int w, int k) {
    int line = w;
    for (int j = k - 1; j > w; j--) {
      char c = s.charAt(j);
      if (c == '\n' || c == '\r') {
        line = j + 1;
        break;
      }
    }
    return line + (k - line) / 4 * 4;
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
   * alphabets or stops being text. A trailing sixth of a byte (a run of 4k + 1) is left out. Line
   * breaks are skipped: a wrapped run's lines are whole groups.
   */
  private static boolean base64(String s, int from, int to, int padEnd, Utf8Sink sink) {
    boolean standard = false;
    boolean urlSafe = false;
    int acc = 0;
    int bits = 0;
    int chars = 0;
    int group = from;
    for (int k = from; k < to; k++) {
      char c = s.charAt(k);
      if (c == '\n' || c == '\r') {
        continue;
      }
      if (chars++ % 4 == 0) {
        group = k;
      }
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

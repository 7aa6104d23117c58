package dev.sluice.pipeline.shadow;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The text a guardrail should look at besides the one it was given: the same text with the ways of
 * writing a value that a reader does not see, or reads past, undone. Every character of it maps
 * back to the span of the original it came from ({@link MappedText}), so a match found here is
 * replaced or scored in the original.
 *
 * <ul>
 *   <li>The <em>folded</em> copy: NFKC per code point (full-width letters and digits, ligatures,
 *       compatibility forms), every Unicode decimal digit to ASCII (Arabic-Indic, Devanagari, …),
 *       format and other default-ignorable characters removed (zero-width space and joiners, word
 *       joiner, soft hyphen, BOM, bidi controls, variation selectors), Unicode spaces to {@code '
 *       '}, line and paragraph separators to {@code '\n'}, Unicode dashes and minus signs to {@code
 *       '-'}, and the {@link HiddenText} carriers (tag characters, selector runs) removed.
 *   <li>Two <em>separated</em> copies when invisible characters stand between two ASCII letters or
 *       digits: the folded copy with a {@code '.'}, then a {@code ' '}, in their place, for
 *       separators written as invisible characters (a JWT whose dots are U+200B, a card whose
 *       spaces are). They are guesses: what they find counts only where the other views find
 *       nothing as specific.
 *   <li>The <em>revealed</em> text of each carrier, folded, mapped to the invisible characters that
 *       wrote it.
 *   <li>The <em>decoded</em> runs of the folded copy and of the revealed text ({@link
 *       EncodedRuns}), folded.
 * </ul>
 *
 * <p>Text with nothing to fold (all ASCII, no escape, no run that decodes to text, which is the
 * common answer) takes the fast path of {@link #isPlain}. Immutable.
 */
public final class ShadowText {
  /** An NFKC expansion longer than this (U+FDFA is 18 characters) is kept as written. */
  private static final int MAX_EXPANSION = 4;

  private final MappedText folded;
  private final List<MappedText> revealed;
  private final List<EncodedRuns.Decoded> decoded;
  private final List<MappedText> views;
  private final List<MappedText> separated;

  private ShadowText(
      MappedText folded,
      List<MappedText> revealed,
      List<EncodedRuns.Decoded> decoded,
      List<MappedText> views,
      List<MappedText> separated) {
    this.folded = folded;
    this.revealed = Collections.unmodifiableList(revealed);
    this.decoded = Collections.unmodifiableList(decoded);
    this.views = Collections.unmodifiableList(views);
    this.separated = Collections.unmodifiableList(separated);
  }

  /** The shadow of {@code text}. */
  public static ShadowText of(String text) {
    if (isPlain(text)) {
      return new ShadowText(MappedText.identity(text), List.of(), List.of(), List.of(), List.of());
    }
    List<MappedText> views = new ArrayList<>();
    List<MappedText> separated = new ArrayList<>();
    Fold fold = fold(text);
    if (fold.changed) {
      views.add(fold.text);
    }
    separated.addAll(fold.separated);
    List<MappedText> revealed = new ArrayList<>();
    List<MappedText> sources = new ArrayList<>();
    sources.add(fold.text);
    for (MappedText hidden : fold.revealed) {
      MappedText view = addFolded(hidden, views, separated);
      revealed.add(view);
      sources.add(view);
    }
    List<EncodedRuns.Decoded> decoded = new ArrayList<>();
    for (MappedText source : sources) {
      for (EncodedRuns.Decoded d : EncodedRuns.decode(source.text())) {
        EncodedRuns.Decoded mapped =
            new EncodedRuns.Decoded(d.encoding(), d.depth(), d.text().through(source));
        decoded.add(mapped);
        addFolded(mapped.text(), views, separated);
      }
    }
    return new ShadowText(fold.text, revealed, decoded, views, separated);
  }

  /** Folds {@code derived} (text mapped to the original), adds it to the views, returns it. */
  private static MappedText addFolded(
      MappedText derived, List<MappedText> views, List<MappedText> separated) {
    Fold fold = fold(derived.text());
    MappedText view = fold.changed ? fold.text.through(derived) : derived;
    views.add(view);
    for (MappedText copy : fold.separated) {
      separated.add(copy.through(derived));
    }
    for (MappedText hidden : fold.revealed) {
      views.add(hidden.through(derived));
    }
    return view;
  }

  /** The folded copy. The original itself when nothing was folded. */
  public String text() {
    return folded.text();
  }

  /** The folded copy, mapped to the original. */
  public MappedText folded() {
    return folded;
  }

  /** What the carriers hide, folded, mapped to the original. */
  public List<MappedText> revealed() {
    return revealed;
  }

  /** The decoded runs of the folded copy and of the revealed text, mapped to the original. */
  public List<EncodedRuns.Decoded> decoded() {
    return decoded;
  }

  /**
   * Every text to look at besides the original, each mapped to it: the folded copy when it differs,
   * the revealed and the decoded texts (folded). Empty when the shadow adds nothing.
   */
  public List<MappedText> views() {
    return views;
  }

  /**
   * The separated copies (of the folded copy, and of revealed or decoded texts that needed them),
   * mapped to the original: guesses, to be trusted only where the {@link #views} find nothing as
   * specific.
   */
  public List<MappedText> separated() {
    return separated;
  }

  /** True when the shadow has something the original does not show. */
  public boolean changed() {
    return !views.isEmpty() || !separated.isEmpty();
  }

  @Override
  public String toString() {
    return "ShadowText[chars="
        + folded.length()
        + ", revealed="
        + revealed.size()
        + ", decoded="
        + decoded.size()
        + ", views="
        + views.size()
        + ", separated="
        + separated.size()
        + "]";
  }

  /**
   * All ASCII, no escape, and no base64 or hex run whose first bytes decode to text: the shadow of
   * such a text adds nothing. Cheap next to a scan: the JDK's vectorised intrinsics test for ASCII
   * and find the escapes, and runs are found by looking at every twelfth character only (a run long
   * enough to decode covers one).
   */
  public static boolean isPlain(String s) {
    int n = s.length();
    // UTF-8 writes one byte per character exactly when all are ASCII (a lone surrogate, one byte
    // '?', is no value's character and folds to nothing anyway)
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    if (bytes.length != n || hasEscape(s, '%') || hasEscape(s, '\\')) {
      return false;
    }
    int min = EncodedRuns.MIN_RUN;
    int checkedTo = 0;
    for (int p = min - 1; p < n; p += min) {
      // A run of min or more that holds p holds the 7 characters up to p or the 7 from p (its two
      // sides add up to min - 1 = 11), all at least '+'; one of those 8 bytes at a time.
      if (p < checkedTo
          || (p + 8 <= n && hasByteBelowPlus(bytes, p - 6) && hasByteBelowPlus(bytes, p))
          || !isRun(bytes[p])) {
        continue;
      }
      int from = p;
      while (from > checkedTo && isRun(bytes[from - 1])) {
        from--;
      }
      if (from + min > n || !isRun(bytes[from + min - 1])) {
        continue; // shorter than a run worth decoding
      }
      int to = p + 1;
      while (to < n && isRun(bytes[to])) {
        to++;
      }
      if (to - from >= min && EncodedRuns.mayDecode(s, from, to)) {
        return false;
      }
      checkedTo = to;
    }
    return true;
  }

  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long ONES = 0x0101010101010101L;
  private static final long HIGH_BITS = 0x8080808080808080L;

  /**
   * Whether one of the 7 ASCII bytes {@code b[at, at + 7)} is below {@code '+'}, the lowest run
   * character (a space, a line break, a quote, a parenthesis …): the classic test for a byte below
   * n in a word, on 8 bytes read at once with the eighth set to 0x7F.
   */
  static boolean hasByteBelowPlus(byte[] b, int at) {
    long x = (long) LONGS.get(b, at) | 0x7F00000000000000L;
    return ((x - '+' * ONES) & ~x & HIGH_BITS) != 0;
  }

  private static boolean hasEscape(String s, char first) {
    for (int i = s.indexOf(first); i >= 0; i = s.indexOf(first, i + 1)) {
      if (EncodedRuns.isEscapeAt(s, i)) {
        return true;
      }
    }
    return false;
  }

  private static boolean isRun(byte b) {
    return EncodedRuns.isRunChar((char) b);
  }

  // --- folding ----------------------------------------------------------------------------------

  /** The folded text, the separated ones, and what the carriers hide; all mapped to s. */
  private record Fold(
      MappedText text, List<MappedText> separated, List<MappedText> revealed, boolean changed) {}

  private static Fold fold(String s) {
    int n = s.length();
    int firstWide = 0;
    while (firstWide < n && s.charAt(firstWide) < 128) {
      firstWide++;
    }
    if (firstWide == n) {
      return new Fold(MappedText.identity(s), List.of(), List.of(), false);
    }
    Folder folder = new Folder(s);
    folder.run(firstWide);
    return folder.result();
  }

  /** One folding pass over a text. Not thread-safe. */
  private static final class Folder {
    private final String s;
    private final MappedText.Builder out;
    private final List<MappedText> revealed = new ArrayList<>();
    private boolean changed;

    /** The invisible characters removed since the last character written, or -1. */
    private int removedFrom = -1;

    private int removedTo;

    /** Where a separator goes in the separated copies: output index, then the removed span. */
    private int[] gaps;

    private int gapCount;

    Folder(String s) {
      this.s = s;
      this.out = new MappedText.Builder(s.length());
    }

    void run(int asciiPrefix) {
      int n = s.length();
      for (int k = 0; k < asciiPrefix; k++) {
        out.append(s.charAt(k), k, k + 1);
      }
      List<HiddenText.Carrier> carriers =
          HiddenText.hasCarrier(s) ? HiddenText.carriers(s) : List.of();
      int next = 0;
      int i = asciiPrefix;
      while (i < n) {
        int carrierStart = next < carriers.size() ? carriers.get(next).start() : n;
        if (i == carrierStart) {
          HiddenText.Carrier carrier = carriers.get(next++);
          MappedText hidden = HiddenText.reveal(s, carrier);
          if (hidden.length() > 0) {
            revealed.add(hidden);
          }
          changed = true;
          removed(carrier.start(), carrier.end());
          i = carrier.end();
          continue;
        }
        char c = s.charAt(i);
        if (c < 128) {
          write(c, i, i + 1);
          i++;
          continue;
        }
        int j = i + 1;
        while (j < carrierStart && s.charAt(j) >= 128) {
          j++;
        }
        segment(i, j);
        i = j;
      }
      if (removedFrom >= 0 && lastIsVisibleAscii()) {
        changed = true;
      }
    }

    /**
     * A run of non-ASCII characters. What the fold settles itself (digits, spaces, invisible
     * characters, dashes) and what NFKC is known to keep goes straight to {@link #fold}; each run
     * of other code points is asked of the normaliser once, and per code point only when it is not
     * NFKC already.
     */
    private void segment(int from, int to) {
      int i = from;
      while (i < to) {
        int cp = s.codePointAt(i);
        if (isSettled(cp)) {
          int end = i + Character.charCount(cp);
          fold(cp, i, end);
          i = end;
          continue;
        }
        int j = i + Character.charCount(cp);
        while (j < to && !isSettled(s.codePointAt(j))) {
          j += Character.charCount(s.codePointAt(j));
        }
        boolean normalized =
            Normalizer.isNormalized(CharBuffer.wrap(s, i, j), Normalizer.Form.NFKC);
        while (i < j) {
          cp = s.codePointAt(i);
          int end = i + Character.charCount(cp);
          if (normalized) {
            fold(cp, i, end);
          } else {
            normalizeAndFold(cp, i, end);
          }
          i = end;
        }
      }
    }

    private void normalizeAndFold(int cp, int i, int end) {
      String one = s.substring(i, end);
      String nfkc = Normalizer.normalize(one, Normalizer.Form.NFKC);
      if (nfkc.equals(one) || nfkc.length() > MAX_EXPANSION) {
        fold(cp, i, end);
        return;
      }
      changed = true;
      for (int k = 0; k < nfkc.length(); ) {
        int folded = nfkc.codePointAt(k);
        fold(folded, i, end);
        k += Character.charCount(folded);
      }
    }

    /** Writes one code point of NFKC output, folded, mapped to the original's {@code [i, end)}. */
    private void fold(int cp, int i, int end) {
      if (cp < 128) {
        write((char) cp, i, end);
        return;
      }
      int type = Character.getType(cp);
      if (type == Character.DECIMAL_DIGIT_NUMBER) {
        changed = true;
        write((char) ('0' + Character.digit(cp, 10)), i, end);
      } else if (isIgnorable(cp, type)) {
        removed(i, end);
      } else if (type == Character.SPACE_SEPARATOR) {
        changed = true;
        write(' ', i, end);
      } else if (type == Character.LINE_SEPARATOR
          || type == Character.PARAGRAPH_SEPARATOR
          || cp == 0x85) {
        changed = true;
        write('\n', i, end);
      } else if (isDash(cp)) {
        changed = true;
        write('-', i, end);
      } else if (Character.isBmpCodePoint(cp)) {
        write((char) cp, i, end);
      } else {
        noteWrite(Character.highSurrogate(cp));
        out.appendCodePoint(cp, i, end);
      }
    }

    private void write(char c, int start, int end) {
      noteWrite(c);
      out.append(c, start, end);
    }

    /**
     * Before a character is written after removed invisible ones: the removal changes the shadow
     * when it touched visible ASCII (inside a value; not inside an emoji sequence), and leaves a
     * gap for the separated copies when it stood between two ASCII letters or digits.
     */
    private void noteWrite(char next) {
      if (removedFrom < 0) {
        return;
      }
      boolean lastAscii = lastIsVisibleAscii();
      if (lastAscii || (next < 128 && !isSpace(next))) {
        changed = true;
      }
      if (out.length() > 0 && isAlnum(out.charAt(out.length() - 1)) && isAlnum(next)) {
        if (gaps == null) {
          gaps = new int[12];
        } else if (gapCount * 3 == gaps.length) {
          gaps = java.util.Arrays.copyOf(gaps, gaps.length * 2);
        }
        gaps[gapCount * 3] = out.length();
        gaps[gapCount * 3 + 1] = removedFrom;
        gaps[gapCount * 3 + 2] = removedTo;
        gapCount++;
      }
      removedFrom = -1;
    }

    private void removed(int start, int end) {
      if (removedFrom < 0) {
        removedFrom = start;
      }
      removedTo = end;
    }

    private boolean lastIsVisibleAscii() {
      if (out.length() == 0) {
        return false;
      }
      char last = out.charAt(out.length() - 1);
      return last < 128 && !isSpace(last);
    }

    Fold result() {
      MappedText text = out.build();
      if (gapCount == 0) {
        return new Fold(text, List.of(), revealed, changed);
      }
      return new Fold(text, List.of(separated('.'), separated(' ')), revealed, true);
    }

    /** The folded text with {@code separator} in each gap, mapped to the removed characters. */
    private MappedText separated(char separator) {
      MappedText.Builder d = new MappedText.Builder(out.length() + gapCount);
      int g = 0;
      for (int k = 0; k < out.length(); k++) {
        if (g < gapCount && gaps[g * 3] == k) {
          d.append(separator, gaps[g * 3 + 1], gaps[g * 3 + 2]);
          g++;
        }
        d.append(out.charAt(k), out.start(k), out.end(k));
      }
      return d.build();
    }
  }

  /**
   * Invisible characters a reader skips: format characters (category Cf: zero-width space and
   * joiners, word joiner, soft hyphen, BOM, bidi controls, tags), variation selectors, the
   * combining grapheme joiner, Mongolian free variation selectors, Hangul fillers and the Khmer
   * inherent vowels.
   */
  static boolean isIgnorable(int cp, int type) {
    return type == Character.FORMAT
        || (cp >= 0xFE00 && cp <= 0xFE0F)
        || (cp >= 0xE0100 && cp <= 0xE01EF)
        || cp == 0x034F
        || (cp >= 0x180B && cp <= 0x180F)
        || cp == 0x115F
        || cp == 0x1160
        || cp == 0x3164
        || cp == 0xFFA0
        || cp == 0x17B4
        || cp == 0x17B5;
  }

  /** Hyphens and dashes U+2010–2015, the minus sign and the small and full-width hyphen-minus. */
  static boolean isDash(int cp) {
    return (cp >= 0x2010 && cp <= 0x2015)
        || cp == 0x2212
        || cp == 0xFE58
        || cp == 0xFE63
        || cp == 0xFF0D;
  }

  /**
   * Whether the fold of {@code cp} needs no normaliser: NFKC keeps it ({@link #isInert}), or the
   * fold replaces it whatever NFKC would write (a decimal digit by its value, a space by {@code '
   * '}, an invisible character by nothing, a dash by {@code '-'}).
   */
  private static boolean isSettled(int cp) {
    if (isInert(cp)) {
      return true;
    }
    int type = Character.getType(cp);
    return type == Character.DECIMAL_DIGIT_NUMBER
        || type == Character.SPACE_SEPARATOR
        || type == Character.LINE_SEPARATOR
        || type == Character.PARAGRAPH_SEPARATOR
        || isIgnorable(cp, type)
        || isDash(cp);
  }

  /**
   * Code points NFKC leaves as they are, tested without asking the normaliser: CJK ideographs,
   * Hangul syllables, kana, the Latin-1 and Cyrillic letters of ordinary prose, and emoji.
   */
  static boolean isInert(int cp) {
    return (cp >= 0x4E00 && cp <= 0x9FFF)
        || (cp >= 0x3400 && cp <= 0x4DBF)
        || (cp >= 0xAC00 && cp <= 0xD7A3)
        || (cp >= 0x3041 && cp <= 0x3096)
        || (cp >= 0x30A1 && cp <= 0x30FA)
        || (cp >= 0xC0 && cp <= 0xFF && cp != 0xD7 && cp != 0xF7)
        || (cp >= 0x400 && cp <= 0x4FF)
        || (cp >= 0x2600 && cp <= 0x27BF)
        || (cp >= 0x1F300 && cp <= 0x1FAFF);
  }

  private static boolean isAlnum(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }

  private static boolean isSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
  }
}

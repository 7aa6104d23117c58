package dev.sluice.pipeline.shadow;

/**
 * Reads UTF-8 one byte at a time, each byte with the source span it came from, and appends the
 * characters to a {@link MappedText.Builder} (a character spans the bytes that wrote it). It stops
 * as soon as the bytes stop looking like text, so random data, which is what most base64 and hex
 * runs hold, costs a few bytes: {@link #text} tolerates one unprintable character or broken
 * sequence per 16 good characters (none before the first 16), {@link #strict} none. Not
 * thread-safe.
 */
final class Utf8Sink {
  /** Of every 16 characters at most one may be unprintable or broken. */
  private static final int BAD_RATIO = 16;

  private final MappedText.Builder out;
  private final boolean printableOnly;
  private final boolean strict;

  /** Continuation bytes the current sequence still needs; 0 between characters. */
  private int need;

  private int cp;
  private int min;
  private int seqStart;

  /** Skip continuation bytes until the first lead byte: a window that starts inside a sequence. */
  private boolean midSequence;

  private int good;
  private int bad;

  private Utf8Sink(MappedText.Builder out, boolean printableOnly, boolean strict) {
    this.out = out;
    this.printableOnly = printableOnly;
    this.strict = strict;
  }

  /** Mostly printable text, as a decoder wants before it trusts a run; {@code out} may be null. */
  static Utf8Sink text(MappedText.Builder out) {
    return new Utf8Sink(out, true, false);
  }

  /** Any valid UTF-8, nothing broken (hidden text, which is known to be text). */
  static Utf8Sink strict(MappedText.Builder out) {
    return new Utf8Sink(out, false, true);
  }

  /** The bytes start in the middle of the stream: continuation bytes before the first lead go. */
  Utf8Sink midSequence() {
    midSequence = true;
    return this;
  }

  /** Takes one byte; false when the bytes are not text (stop reading). */
  boolean put(int b, int start, int end) {
    if (need > 0) {
      if ((b & 0xC0) == 0x80) {
        cp = (cp << 6) | (b & 0x3F);
        if (--need > 0) {
          return true;
        }
        if (cp < min || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
          return broken();
        }
        return emit(cp, seqStart, end);
      }
      need = 0;
      if (!broken()) {
        return false;
      }
    }
    if (b < 0x80) {
      midSequence = false;
      return emit(b, start, end);
    }
    if ((b & 0xC0) == 0x80 && midSequence) {
      return true;
    }
    midSequence = false;
    if (b >= 0xC2 && b <= 0xDF) {
      begin(1, b & 0x1F, 0x80, start);
    } else if (b >= 0xE0 && b <= 0xEF) {
      begin(2, b & 0x0F, 0x800, start);
    } else if (b >= 0xF0 && b <= 0xF4) {
      begin(3, b & 0x07, 0x10000, start);
    } else {
      return broken();
    }
    return true;
  }

  /**
   * Takes a character decoded by other means (a {@code \\u} escape); a lone surrogate is broken.
   */
  boolean putChar(char c, int start, int end) {
    if (need > 0 && !endSequence()) {
      return false;
    }
    if (Character.isSurrogate(c) || (printableOnly && !isPrintable(c))) {
      return countBad();
    }
    good++;
    if (out != null) {
      out.append(c, start, end);
    }
    return true;
  }

  /** Takes a surrogate pair decoded by other means, each half with its own span. */
  boolean putPair(char high, int highStart, int highEnd, char low, int lowStart, int lowEnd) {
    if (need > 0 && !endSequence()) {
      return false;
    }
    if (printableOnly && !isPrintable(Character.toCodePoint(high, low))) {
      return countBad();
    }
    good++;
    if (out != null) {
      out.append(high, highStart, highEnd);
      out.append(low, lowStart, lowEnd);
    }
    return true;
  }

  /** Between two characters: a sequence still open is broken. False when that is too much. */
  boolean endSequence() {
    if (need == 0) {
      return true;
    }
    need = 0;
    return broken();
  }

  /** How many characters were read. */
  int good() {
    return good;
  }

  private void begin(int continuation, int bits, int minimum, int start) {
    need = continuation;
    cp = bits;
    min = minimum;
    seqStart = start;
  }

  private boolean emit(int c, int start, int end) {
    if (printableOnly && !isPrintable(c)) {
      return countBad();
    }
    good++;
    if (out != null) {
      out.appendCodePoint(c, start, end);
    }
    return true;
  }

  private boolean broken() {
    return !strict && countBad();
  }

  private boolean countBad() {
    bad++;
    return !strict && bad * BAD_RATIO <= good;
  }

  /**
   * Text a reader sees: no control characters but tab and line breaks, nothing unassigned, private
   * or replaced. Format characters count as printable: the shadow folds them.
   */
  static boolean isPrintable(int c) {
    if (c < 0x20) {
      return c == '\t' || c == '\n' || c == '\r';
    }
    if (c < 0x7F) {
      return true;
    }
    if (c <= 0x9F || c == 0xFFFD) {
      return false;
    }
    int type = Character.getType(c);
    return type != Character.UNASSIGNED
        && type != Character.PRIVATE_USE
        && type != Character.SURROGATE
        && type != Character.CONTROL;
  }
}

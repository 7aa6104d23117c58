package dev.sluice.pipeline.shadow;

import java.util.Arrays;

/**
 * Text derived from a source string (folded, revealed from a carrier, or decoded), with the span of
 * the source that each of its characters came from. The map is monotone: characters in order come
 * from spans in order. So a span {@code [from, to)} of this text came from {@code
 * [sourceStart(from), sourceEnd(to))} of the source, and a match found here can be replaced there.
 * Immutable.
 */
public final class MappedText {
  private final String text;

  /** Per character, where its source span starts and ends; both null for the identity map. */
  private final int[] starts;

  private final int[] ends;

  private MappedText(String text, int[] starts, int[] ends) {
    this.text = text;
    this.starts = starts;
    this.ends = ends;
  }

  /** {@code text} as its own source: character k came from {@code [k, k + 1)}. */
  public static MappedText identity(String text) {
    return new MappedText(java.util.Objects.requireNonNull(text, "text"), null, null);
  }

  public String text() {
    return text;
  }

  public int length() {
    return text.length();
  }

  /** True when every character maps to itself. */
  public boolean isIdentity() {
    return starts == null;
  }

  /** Where in the source the span starting at character {@code from} starts. */
  public int sourceStart(int from) {
    return starts == null ? from : starts[from];
  }

  /** Where in the source the span ending before character {@code to} ends ({@code to > 0}). */
  public int sourceEnd(int to) {
    return ends == null ? to : ends[to - 1];
  }

  /**
   * This text mapped through {@code parent}, the text it was derived from: the result maps to
   * parent's source.
   */
  MappedText through(MappedText parent) {
    if (parent.isIdentity()) {
      return this;
    }
    int n = text.length();
    int[] s = new int[n];
    int[] e = new int[n];
    for (int k = 0; k < n; k++) {
      s[k] = parent.sourceStart(sourceStart(k));
      e[k] = parent.sourceEnd(sourceEnd(k + 1));
    }
    return new MappedText(text, s, e);
  }

  /** Shows lengths and the source span only: the text may hold a secret. */
  @Override
  public String toString() {
    if (text.isEmpty()) {
      return "MappedText[chars=0]";
    }
    return "MappedText[chars="
        + text.length()
        + ", source="
        + sourceStart(0)
        + ".."
        + sourceEnd(text.length())
        + "]";
  }

  /** Appends characters with their source spans. Not thread-safe. */
  static final class Builder {
    private final StringBuilder text;
    private int[] starts;
    private int[] ends;

    Builder(int capacity) {
      int c = Math.max(capacity, 8);
      text = new StringBuilder(c);
      starts = new int[c];
      ends = new int[c];
    }

    int length() {
      return text.length();
    }

    char charAt(int k) {
      return text.charAt(k);
    }

    void append(char c, int start, int end) {
      int n = text.length();
      if (n == starts.length) {
        starts = Arrays.copyOf(starts, n * 2);
        ends = Arrays.copyOf(ends, n * 2);
      }
      text.append(c);
      starts[n] = start;
      ends[n] = end;
    }

    void appendCodePoint(int cp, int start, int end) {
      if (Character.isBmpCodePoint(cp)) {
        append((char) cp, start, end);
      } else {
        append(Character.highSurrogate(cp), start, end);
        append(Character.lowSurrogate(cp), start, end);
      }
    }

    /** The source span of character {@code k} appended so far. */
    int start(int k) {
      return starts[k];
    }

    int end(int k) {
      return ends[k];
    }

    MappedText build() {
      int n = text.length();
      return new MappedText(text.toString(), Arrays.copyOf(starts, n), Arrays.copyOf(ends, n));
    }
  }
}

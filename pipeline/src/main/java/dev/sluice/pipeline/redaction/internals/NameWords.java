package dev.sluice.pipeline.redaction.internals;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Lower-case words looked up inside a name ({@code DATADOG_APP_KEY}, {@code clientSecret}),
 * ignoring ASCII case, each tagged with a value. Indexed by the first two characters of the word,
 * so a name is read once whatever the number of words: every {@code =} and {@code :} of a text asks
 * whether its name holds one.
 *
 * @param <T> what a word stands for (a rule, or the word itself)
 */
final class NameWords<T> {
  /** Words by {@code c1 * 128 + c2} of their first two characters; null where none. */
  private final String[][] words = new String[128 * 128][];

  /** The values of {@link #words}, in parallel. */
  private final Object[][] values = new Object[128 * 128][];

  private NameWords() {}

  /** Each word standing for itself. */
  static NameWords<String> of(String... words) {
    NameWords<String> index = new NameWords<>();
    for (String w : words) {
      index.add(w, w);
    }
    return index;
  }

  /** Each value under each of its words, in the order given. */
  static <T> NameWords<T> of(List<T> values, Function<T, List<String>> words) {
    NameWords<T> index = new NameWords<>();
    for (T value : values) {
      for (String w : words.apply(value)) {
        index.add(w, value);
      }
    }
    return index;
  }

  private void add(String word, T value) {
    if (word.length() < 2 || !word.equals(word.toLowerCase(Locale.ROOT)) || word.charAt(0) >= 128) {
      throw new IllegalArgumentException("a word is lower case and two characters long: " + word);
    }
    int key = word.charAt(0) * 128 + word.charAt(1);
    List<String> w = words[key] == null ? new ArrayList<>() : new ArrayList<>(List.of(words[key]));
    List<Object> v =
        values[key] == null ? new ArrayList<>() : new ArrayList<>(List.of(values[key]));
    w.add(word);
    v.add(value);
    words[key] = w.toArray(new String[0]);
    values[key] = v.toArray();
  }

  /** Whether one of the words occurs in {@code s[from, to)}. */
  boolean occursIn(String s, int from, int to) {
    for (int p = from; p + 1 < to; p++) {
      int key = key(s, p);
      String[] at = key < 0 ? null : words[key];
      if (at == null) {
        continue;
      }
      for (String w : at) {
        if (p + w.length() <= to && s.regionMatches(true, p, w, 0, w.length())) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * The first value, by where its word occurs in {@code s[from, to)} and then in the order given,
   * that {@code accept} takes; null when none.
   */
  @SuppressWarnings("unchecked")
  T first(String s, int from, int to, Predicate<T> accept) {
    for (int p = from; p + 1 < to; p++) {
      int key = key(s, p);
      String[] at = key < 0 ? null : words[key];
      if (at == null) {
        continue;
      }
      for (int k = 0; k < at.length; k++) {
        String w = at[k];
        T value = (T) values[key][k];
        if (p + w.length() <= to
            && s.regionMatches(true, p, w, 0, w.length())
            && accept.test(value)) {
          return value;
        }
      }
    }
    return null;
  }

  /** {@code c1 * 128 + c2} of the lower-cased characters at {@code p}; -1 when not ASCII. */
  private static int key(String s, int p) {
    char c1 = s.charAt(p);
    char c2 = s.charAt(p + 1);
    if (c1 >= 128 || c2 >= 128) {
      return -1;
    }
    return lower(c1) * 128 + lower(c2);
  }

  private static char lower(char c) {
    return c >= 'A' && c <= 'Z' ? (char) (c + 32) : c;
  }
}

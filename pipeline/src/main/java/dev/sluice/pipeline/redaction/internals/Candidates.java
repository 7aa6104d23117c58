package dev.sluice.pipeline.redaction.internals;

import dev.sluice.pipeline.redaction.RedactionType;
import dev.sluice.pipeline.shadow.MappedText;
import java.util.Arrays;
import java.util.TreeMap;

/**
 * The matches one scan produced, as parallel int arrays (allocated on the first match, so a clean
 * text costs no arrays). Not thread-safe: one instance per scan.
 */
public final class Candidates {
  private static final RedactionType[] TYPES = RedactionType.values();

  private int[] types;
  private int[] starts;
  private int[] ends;
  private String[] providers;

  /** Which matches are guesses (found in a separated shadow copy); null while there are none. */
  private boolean[] guesses;

  private int size;

  void add(RedactionType type, int start, int end) {
    add(type, null, start, end, false);
  }

  void add(RedactionType type, String provider, int start, int end) {
    add(type, provider, start, end, false);
  }

  private void add(RedactionType type, String provider, int start, int end, boolean guess) {
    if (end <= start) {
      return;
    }
    if (types == null) {
      types = new int[8];
      starts = new int[8];
      ends = new int[8];
      providers = new String[8];
    } else if (size == types.length) {
      types = Arrays.copyOf(types, size * 2);
      starts = Arrays.copyOf(starts, size * 2);
      ends = Arrays.copyOf(ends, size * 2);
      providers = Arrays.copyOf(providers, size * 2);
      if (guesses != null) {
        guesses = Arrays.copyOf(guesses, size * 2);
      }
    }
    if (guess && guesses == null) {
      guesses = new boolean[types.length];
    }
    types[size] = type.ordinal();
    starts[size] = start;
    ends[size] = end;
    providers[size] = provider;
    if (guesses != null) {
      guesses[size] = guess;
    }
    size++;
  }

  /**
   * Adds the matches of {@code other}, the scan of {@code view}'s text, at the spans of view's
   * source they came from (a match in a shadow view lands on the original characters).
   */
  public void addMapped(Candidates other, MappedText view) {
    addMapped(other, view, false);
  }

  /**
   * As {@link #addMapped}, for a view that guesses (a separated shadow copy reads an invisible
   * character as a separator): its matches lose to any other of the same specificity, so it adds
   * what the other readings lack and never stretches what they found.
   */
  public void addGuesses(Candidates other, MappedText view) {
    addMapped(other, view, true);
  }

  private void addMapped(Candidates other, MappedText view, boolean guess) {
    for (int k = 0; k < other.size; k++) {
      copy(other, k, view.sourceStart(other.starts[k]), view.sourceEnd(other.ends[k]), guess);
    }
  }

  /** Adds match {@code k} of {@code other} at {@code [start, end)}, with all it carries. */
  private void copy(Candidates other, int k, int start, int end, boolean guess) {
    add(TYPES[other.types[k]], other.providers[k], start, end, guess);
  }

  private boolean isGuess(int k) {
    return guesses != null && guesses[k];
  }

  public boolean isEmpty() {
    return size == 0;
  }

  public int size() {
    return size;
  }

  public int type(int k) {
    return types[k];
  }

  public int start(int k) {
    return starts[k];
  }

  public int end(int k) {
    return ends[k];
  }

  /** Who issued the secret of match {@code k} ({@code github}, {@code datadog}); null for PII. */
  public String provider(int k) {
    return providers[k];
  }

  /**
   * Keeps a set of non-overlapping matches, sorted by start: the most specific first, then one that
   * is not a guess, then the longest, then the earliest. O(m log m) so that a text full of
   * overlapping candidates cannot make it quadratic.
   */
  public void resolveOverlaps() {
    if (size <= 1) {
      return;
    }
    Integer[] order = new Integer[size];
    for (int k = 0; k < size; k++) {
      order[k] = k;
    }
    Arrays.sort(
        order,
        (a, b) -> {
          int bySpecificity =
              Integer.compare(TYPES[types[b]].specificity(), TYPES[types[a]].specificity());
          if (bySpecificity != 0) {
            return bySpecificity;
          }
          int byGuess = Boolean.compare(isGuess(a), isGuess(b));
          if (byGuess != 0) {
            return byGuess;
          }
          int byLength = Integer.compare(ends[b] - starts[b], ends[a] - starts[a]);
          return byLength != 0 ? byLength : Integer.compare(starts[a], starts[b]);
        });
    TreeMap<Integer, Integer> accepted = new TreeMap<>();
    for (Integer k : order) {
      int start = starts[k];
      int end = ends[k];
      var before = accepted.floorEntry(end - 1);
      if (before != null && ends[before.getValue()] > start) {
        continue;
      }
      accepted.put(start, k);
    }
    int[] nt = new int[accepted.size()];
    int[] ns = new int[accepted.size()];
    int[] ne = new int[accepted.size()];
    String[] np = new String[accepted.size()];
    int n = 0;
    for (int k : accepted.values()) {
      nt[n] = types[k];
      ns[n] = starts[k];
      ne[n] = ends[k];
      np[n] = providers[k];
      n++;
    }
    types = nt;
    starts = ns;
    ends = ne;
    providers = np;
    guesses = null;
    size = n;
  }
}

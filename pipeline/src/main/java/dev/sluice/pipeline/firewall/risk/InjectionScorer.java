package dev.sluice.pipeline.firewall.risk;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Scores a text for prompt-injection cues. Built once from a cue catalogue, immutable and safe to
 * share between stream threads.
 *
 * <p>The text is normalised ({@link TextNormalizer}), split into sentences and lines, and every cue
 * is tried on each (the highest-scoring sentence decides, rather than the chunk as a whole, because
 * an injected instruction is one sentence in an otherwise ordinary document). Decoded runs (base64,
 * hex, percent-encoding, {@code \}{@code u} escapes, nested) and the text that invisible carriers
 * hide are scored the same way; a sentence whose words read as ROT13 or reversed is scored undone
 * as well ({@link Disguise}). Each cue counts once, at its weight; weights combine by noisy-OR:
 * {@code score = 1 - prod(1 - weight)}.
 */
public final class InjectionScorer {

  /** Letters a letters-only cue is shown from each of its triggers (see matchesAtTriggers). */
  static final int SQUASHED_WINDOW = 240;

  /** Sentences longer than this are scored in windows of this size, overlapping by a quarter. */
  static final int MAX_CLAUSE_CHARS = 600;

  private static final List<String> LEADING_FILLER =
      List.of(
          "please",
          "also",
          "kindly",
          "now",
          "then",
          "and",
          "additionally",
          "furthermore",
          "moreover",
          "finally",
          "lastly",
          "next",
          "first",
          "firstly",
          "so",
          "but",
          "ok",
          "okay",
          "btw",
          "oh",
          "hey",
          "can you",
          "could you",
          "would you",
          "will you",
          "just",
          "to proceed",
          "in addition",
          "as well",
          // French, German and Spanish politeness and connectives.
          "s'il te plait",
          "s'il vous plait",
          "aussi",
          "egalement",
          "ensuite",
          "puis",
          "et",
          "de plus",
          "enfin",
          "maintenant",
          "alors",
          "bitte",
          "auch",
          "ausserdem",
          "zudem",
          "dann",
          "und",
          "jetzt",
          "nun",
          "zusatzlich",
          "por favor",
          "tambien",
          "ademas",
          "luego",
          "despues",
          // Not "ahora": "ahora eres ..." is how a Spanish persona switch starts.
          "entonces",
          "pero");

  private final List<RiskCue> clauseCues;
  private final List<RiskCue> documentCues;
  private final List<RiskCue> squashedCues;
  private final List<RiskCue> hiddenCues;

  /** Clause cue indexes by trigger word; clause cues without triggers are in {@link #ungated}. */
  private final Map<String, int[]> clauseCuesByWord;

  private final int[] ungated;

  public InjectionScorer(List<RiskCue> cues) {
    Objects.requireNonNull(cues, "cues");
    List<RiskCue> clause = new ArrayList<>();
    List<RiskCue> document = new ArrayList<>();
    List<RiskCue> squashed = new ArrayList<>();
    List<RiskCue> hidden = new ArrayList<>();
    for (RiskCue cue : cues) {
      switch (cue.scope()) {
        case CLAUSE:
          clause.add(cue);
          break;
        case DOCUMENT:
          document.add(cue);
          break;
        case SQUASHED:
          squashed.add(cue);
          break;
        case HIDDEN:
          hidden.add(cue);
          break;
        default:
          throw new IllegalArgumentException("unknown scope " + cue.scope());
      }
    }
    this.clauseCues = List.copyOf(clause);
    this.documentCues = List.copyOf(document);
    this.squashedCues = List.copyOf(squashed);
    this.hiddenCues = List.copyOf(hidden);
    Map<String, List<Integer>> byWord = new HashMap<>();
    List<Integer> always = new ArrayList<>();
    for (int i = 0; i < clause.size(); i++) {
      if (clause.get(i).triggers().isEmpty()) {
        always.add(i);
      }
      for (String word : clause.get(i).triggers()) {
        byWord.computeIfAbsent(word, w -> new ArrayList<>()).add(i);
      }
    }
    Map<String, int[]> index = new HashMap<>();
    byWord.forEach((w, list) -> index.put(w, list.stream().mapToInt(Integer::intValue).toArray()));
    this.clauseCuesByWord = Map.copyOf(index);
    this.ungated = always.stream().mapToInt(Integer::intValue).toArray();
  }

  /** For retrieved context (RAG chunks): {@link InjectionCues#forRetrievedContext()}. */
  public static InjectionScorer forRetrievedContext() {
    return new InjectionScorer(InjectionCues.forRetrievedContext());
  }

  /** For the user's own prompt: {@link InjectionCues#forUserPrompt()}. */
  public static InjectionScorer forUserPrompt() {
    return new InjectionScorer(InjectionCues.forUserPrompt());
  }

  public RiskAssessment assess(String text) {
    Objects.requireNonNull(text, "text");
    if (text.isBlank()) {
      return RiskAssessment.NONE;
    }
    TextNormalizer.NormalizedText normalized = TextNormalizer.normalize(text);
    Map<String, Double> fired = new LinkedHashMap<>();
    scoreText(normalized.text(), normalized.squashed(), fired);
    for (String decoded : normalized.decoded()) {
      scoreText(decoded, TextNormalizer.squash(decoded), fired);
    }
    for (String hidden : normalized.hidden()) {
      for (RiskCue cue : hiddenCues) {
        if (!alreadyAtLeast(fired, cue) && cue.matches(hidden)) {
          fired.merge(cue.name(), cue.weight(), Math::max);
        }
      }
      scoreText(hidden, TextNormalizer.squash(hidden), fired);
    }
    if (fired.isEmpty()) {
      return RiskAssessment.NONE;
    }
    double keep = 1.0;
    for (double weight : fired.values()) {
      keep *= 1.0 - weight;
    }
    List<String> names = new ArrayList<>(fired.keySet());
    names.sort(Comparator.comparing((String n) -> -fired.get(n)).thenComparing(n -> n));
    return new RiskAssessment(1.0 - keep, names);
  }

  private void scoreText(String text, String squashed, Map<String, Double> fired) {
    for (RiskCue cue : documentCues) {
      if (!alreadyAtLeast(fired, cue) && containsAny(text, cue.triggers()) && cue.matches(text)) {
        fired.merge(cue.name(), cue.weight(), Math::max);
      }
    }
    for (RiskCue cue : squashedCues) {
      if (!alreadyAtLeast(fired, cue) && matchesAtTriggers(cue, squashed)) {
        fired.merge(cue.name(), cue.weight(), Math::max);
      }
    }
    boolean[] candidate = new boolean[clauseCues.size()];
    int[] disguiseTally = new int[3];
    // Repeated sentences (boilerplate footers, hostile padding) are scored once.
    Set<String> seen = new HashSet<>();
    for (String clause : clauses(text)) {
      if (!seen.add(clause)) {
        continue;
      }
      Arrays.fill(disguiseTally, 0);
      scoreClause(clause, candidate, disguiseTally, fired);
      Disguise disguise = Disguise.of(disguiseTally);
      if (disguise != null) {
        for (String reading : disguise.undo(clause)) {
          for (String undone : clauses(reading)) {
            scoreClause(undone, candidate, null, fired);
          }
        }
      }
    }
  }

  /** Tries the clause cues on one clause; counts its disguise hints into {@code tally}. */
  private void scoreClause(
      String clause, boolean[] candidate, int[] tally, Map<String, Double> fired) {
    Arrays.fill(candidate, false);
    for (int i : ungated) {
      candidate[i] = true;
    }
    markTriggered(clause, candidate, tally);
    for (int i = 0; i < candidate.length; i++) {
      RiskCue cue = clauseCues.get(i);
      if (candidate[i] && !alreadyAtLeast(fired, cue) && cue.matches(clause)) {
        fired.merge(cue.name(), cue.weight(), Math::max);
      }
    }
  }

  /**
   * Tries a letters-only cue where one of its triggers starts (each such pattern starts with one),
   * on {@link #SQUASHED_WINDOW} letters from there. Windows start at least half a window apart, so
   * a match up to half a window long is always seen and the cost stays linear however often a
   * trigger repeats; the whole text is a few kilobytes of letters, most of them not near a trigger.
   */
  private static boolean matchesAtTriggers(RiskCue cue, String squashed) {
    List<String> triggers = cue.triggers();
    int[] nextAt = new int[triggers.size()];
    for (int t = 0; t < nextAt.length; t++) {
      nextAt[t] = squashed.indexOf(triggers.get(t));
    }
    int windowFrom = 0;
    while (true) {
      int at = -1;
      for (int t = 0; t < nextAt.length; t++) {
        if (nextAt[t] >= 0 && nextAt[t] < windowFrom) {
          nextAt[t] = squashed.indexOf(triggers.get(t), windowFrom);
        }
        if (nextAt[t] >= 0 && (at < 0 || nextAt[t] < at)) {
          at = nextAt[t];
        }
      }
      if (at < 0) {
        return false;
      }
      if (cue.matches(squashed.substring(at, Math.min(squashed.length(), at + SQUASHED_WINDOW)))) {
        return true;
      }
      windowFrom = at + SQUASHED_WINDOW / 2;
    }
  }

  /**
   * Marks the clause cues whose trigger words occur in {@code clause}, and counts the words that
   * hint at a {@link Disguise} into {@code tally} (when given). Chinese, written without spaces, is
   * looked up two ideographs at a time.
   */
  private void markTriggered(String clause, boolean[] candidate, int[] tally) {
    int n = clause.length();
    int i = 0;
    while (i < n) {
      char c = clause.charAt(i);
      if (isIdeograph(c)) {
        if (i + 1 < n && isIdeograph(clause.charAt(i + 1))) {
          mark(clauseCuesByWord.get(clause.substring(i, i + 2)), candidate);
        }
        i++;
        continue;
      }
      if (!isWordChar(c)) {
        i++;
        continue;
      }
      int start = i;
      while (i < n && isWordChar(clause.charAt(i))) {
        i++;
      }
      String word = clause.substring(start, i);
      mark(clauseCuesByWord.get(word), candidate);
      int apostrophe = word.indexOf('\'');
      if (apostrophe > 0) {
        // "response's" also triggers what "response" does, "l'utilisateur" what "utilisateur" does.
        mark(clauseCuesByWord.get(word.substring(0, apostrophe)), candidate);
        mark(clauseCuesByWord.get(word.substring(apostrophe + 1)), candidate);
      }
      if (tally != null) {
        Disguise.count(word, tally);
      }
    }
  }

  /** CJK ideographs; the range check first keeps Latin text off the Unicode tables. */
  static boolean isIdeograph(char c) {
    return c >= '\u2E80' && Character.isIdeographic(c);
  }

  private static void mark(int[] cues, boolean[] candidate) {
    if (cues != null) {
      for (int c : cues) {
        candidate[c] = true;
      }
    }
  }

  private static boolean isWordChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '\'';
  }

  private static boolean containsAny(String text, List<String> needles) {
    if (needles.isEmpty()) {
      return true;
    }
    for (String needle : needles) {
      if (text.contains(needle)) {
        return true;
      }
    }
    return false;
  }

  private static boolean alreadyAtLeast(Map<String, Double> fired, RiskCue cue) {
    Double seen = fired.get(cue.name());
    return seen != null && seen >= cue.weight();
  }

  /**
   * Sentences and lines of normalised text, each with leading bullets, quote marks and politeness
   * removed. Splits at line breaks, at '|' (flattened email headers), after '.', '!', '?', ':' or
   * ';' followed by a space (or, in Chinese, by an ideograph), and after '。'.
   */
  static List<String> clauses(String text) {
    List<String> out = new ArrayList<>();
    int n = text.length();
    int start = 0;
    for (int i = 0; i < n; i++) {
      char c = text.charAt(i);
      boolean cut = c == '\n' || c == '|';
      boolean endMark =
          c == '\u3002'
              || ((c == '.' || c == '!' || c == '?' || c == ':' || c == ';')
                  && (i + 1 == n || text.charAt(i + 1) == ' ' || isIdeograph(text.charAt(i + 1))));
      if (cut || endMark) {
        addClause(text, start, endMark ? i + 1 : i, out);
        start = i + 1;
      }
    }
    addClause(text, start, n, out);
    return out;
  }

  private static void addClause(String text, int from, int to, List<String> out) {
    while (from < to && !isClauseStart(text.charAt(from))) {
      from++;
    }
    if (to - from < 3) {
      return;
    }
    if (to - from <= MAX_CLAUSE_CHARS) {
      out.add(stripLead(text.substring(from, to)));
      return;
    }
    int step = MAX_CLAUSE_CHARS * 3 / 4;
    for (int w = from; w < to; w += step) {
      out.add(stripLead(text.substring(w, Math.min(to, w + MAX_CLAUSE_CHARS))));
      if (w + MAX_CLAUSE_CHARS >= to) {
        break;
      }
    }
  }

  private static boolean isClauseStart(char c) {
    return Character.isLetterOrDigit(c) || c == '<' || c == '{' || c == '[' || c == '!';
  }

  /** Drops up to three leading filler words so "Please also add ..." starts at "add". */
  static String stripLead(String clause) {
    String s = clause;
    for (int round = 0; round < 3; round++) {
      boolean stripped = false;
      for (String filler : LEADING_FILLER) {
        if (s.startsWith(filler)
            && s.length() > filler.length()
            && !Character.isLetterOrDigit(s.charAt(filler.length()))) {
          int k = filler.length();
          while (k < s.length() && !Character.isLetterOrDigit(s.charAt(k))) {
            k++;
          }
          s = s.substring(k);
          stripped = true;
          break;
        }
      }
      if (!stripped) {
        break;
      }
    }
    return s;
  }

  @Override
  public String toString() {
    return "InjectionScorer[cues="
        + (clauseCues.size() + documentCues.size() + squashedCues.size() + hiddenCues.size())
        + "]";
  }

  /** The cues this scorer uses, for documentation and tests. */
  public List<RiskCue> cues() {
    List<RiskCue> all = new ArrayList<>(documentCues);
    all.addAll(squashedCues);
    all.addAll(clauseCues);
    all.addAll(hiddenCues);
    return List.copyOf(all);
  }
}

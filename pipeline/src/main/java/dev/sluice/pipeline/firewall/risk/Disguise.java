package dev.sluice.pipeline.firewall.risk;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Two ways of writing an instruction that a model still reads and a cue does not: ROT13 and
 * reversed text (the whole sentence, or each word in place).
 *
 * <p>Undoing every sentence both ways would triple the cost of scoring, so a sentence is undone
 * only when its own words say it is disguised: it holds at least {@link #MIN_HINTS} common words
 * (of the five languages' function words and injection vocabulary) in their ROT13 or reversed
 * spelling, more than it holds in plain spelling. Counting them costs one map look-up per word,
 * which the scorer does while it looks up the cue triggers.
 */
enum Disguise {
  ROT13,
  REVERSED;

  /** Disguised common words a sentence must hold before it is undone. */
  static final int MIN_HINTS = 2;

  /**
   * Common words in plain spelling, lower-case without accents, as {@link TextNormalizer#fold}
   * leaves them. English, French, German and Spanish; Chinese has neither ROT13 nor a reading order
   * that reversal hides from a reader.
   */
  private static final List<String> PLAIN_WORDS =
      List.of(
          // English
          "the",
          "and",
          "you",
          "your",
          "to",
          "of",
          "is",
          "are",
          "all",
          "this",
          "that",
          "with",
          "for",
          "not",
          "please",
          "from",
          "what",
          "must",
          "any",
          "now",
          "ignore",
          "forget",
          "disregard",
          "previous",
          "prior",
          "instructions",
          "rules",
          "system",
          "prompt",
          "reveal",
          "tell",
          "user",
          "answer",
          "response",
          "reply",
          "send",
          "password",
          "secret",
          "above",
          // French
          "les",
          "vous",
          "votre",
          "vos",
          "tes",
          "toutes",
          "tous",
          "des",
          "est",
          "pour",
          "avec",
          "dans",
          "une",
          "que",
          "ignorez",
          "oubliez",
          "oublie",
          "consignes",
          "reponse",
          "utilisateur",
          "systeme",
          "precedentes",
          // German
          "die",
          "der",
          "und",
          "alle",
          "deine",
          "ihre",
          "sie",
          "nicht",
          "ist",
          "mit",
          "das",
          "eine",
          "ignoriere",
          "vergiss",
          "anweisungen",
          "antwort",
          "benutzer",
          "nutzer",
          "vorherigen",
          "regeln",
          // Spanish
          "las",
          "los",
          "todas",
          "tus",
          "sus",
          "del",
          "para",
          "con",
          "ignora",
          "olvida",
          "instrucciones",
          "respuesta",
          "usuario",
          "sistema",
          "anteriores",
          "reglas");

  /**
   * Disguised spellings that are ordinary words themselves ("ton", "won", "era", "sol", "led",
   * "she", "or"): they would make plain text look disguised.
   */
  private static final Set<String> REAL_WORDS =
      Set.of(
          "ton", "won", "era", "set", "red", "ella", "sad", "sol", "led", "sal", "nie", "she", "or",
          "be", "tim", "sed", "gnu", "ruf", "eid", "si");

  private static final int PLAIN_BIT = 1;
  private static final int ROT13_BIT = 2;
  private static final int REVERSED_BIT = 4;

  private static final Map<String, Integer> HINTS = hints();

  private static Map<String, Integer> hints() {
    Map<String, Integer> hints = new HashMap<>();
    for (String word : PLAIN_WORDS) {
      hints.merge(word, PLAIN_BIT, (a, b) -> a | b);
    }
    for (String word : PLAIN_WORDS) {
      addDisguised(hints, rot13(word), ROT13_BIT);
      addDisguised(hints, new StringBuilder(word).reverse().toString(), REVERSED_BIT);
    }
    return Map.copyOf(hints);
  }

  private static void addDisguised(Map<String, Integer> hints, String spelling, int bit) {
    if (!REAL_WORDS.contains(spelling) && (hints.getOrDefault(spelling, 0) & PLAIN_BIT) == 0) {
      hints.merge(spelling, bit, (a, b) -> a | b);
    }
  }

  /** Counts one word of a sentence into {@code tally} (plain, ROT13, reversed). */
  static void count(String word, int[] tally) {
    Integer bits = HINTS.get(word);
    if (bits != null) {
      if ((bits & PLAIN_BIT) != 0) {
        tally[0]++;
      }
      if ((bits & ROT13_BIT) != 0) {
        tally[1]++;
      }
      if ((bits & REVERSED_BIT) != 0) {
        tally[2]++;
      }
    }
  }

  /** The disguise a sentence's {@code tally} points to, or null for plain text. */
  static Disguise of(int[] tally) {
    int plain = tally[0];
    if (tally[1] >= MIN_HINTS && tally[1] > plain && tally[1] >= tally[2]) {
      return ROT13;
    }
    if (tally[2] >= MIN_HINTS && tally[2] > plain) {
      return REVERSED;
    }
    return null;
  }

  /** The readings of a disguised sentence: ROT13 has one, reversal two (sentence, each word). */
  List<String> undo(String sentence) {
    if (this == ROT13) {
      return List.of(rot13(sentence));
    }
    return List.of(new StringBuilder(sentence).reverse().toString(), reverseEachWord(sentence));
  }

  static String rot13(String s) {
    char[] out = s.toCharArray();
    for (int i = 0; i < out.length; i++) {
      char c = out[i];
      if (c >= 'a' && c <= 'z') {
        out[i] = (char) ('a' + (c - 'a' + 13) % 26);
      } else if (c >= 'A' && c <= 'Z') {
        out[i] = (char) ('A' + (c - 'A' + 13) % 26);
      }
    }
    return new String(out);
  }

  private static String reverseEachWord(String s) {
    StringBuilder out = new StringBuilder(s.length());
    int i = 0;
    while (i < s.length()) {
      int start = i;
      while (i < s.length() && Character.isLetterOrDigit(s.charAt(i))) {
        i++;
      }
      out.append(new StringBuilder(s.substring(start, i)).reverse());
      if (i < s.length()) {
        out.append(s.charAt(i));
        i++;
      }
    }
    return out.toString();
  }
}

package dev.sluice.pipeline.redaction.internals;

import dev.sluice.pipeline.redaction.RedactionType;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * One forward pass over the text that stops only at trigger characters and hands each to the {@link
 * Recognizer}s of that character. Every look-around is bounded by a constant or consumes what it
 * reads, so the scan is linear in the text whatever the input.
 */
public final class CandidateScanner {
  /**
   * Every recognizer. Where several share a trigger character they look in this order, and the
   * first that claims the position decides where the scan resumes.
   */
  private static final List<Recognizer> RECOGNIZERS =
      List.of(
          new NumberRecognizer(),
          new IbanRecognizer(),
          new ProviderKeyRecognizer(),
          new AuthorizationRecognizer(),
          new EmailRecognizer(),
          new UrlCredentialsRecognizer(),
          new EmbeddedMarkerRecognizer(),
          new Ipv6Recognizer(),
          new SecretAssignmentRecognizer(),
          new PrivateKeyRecognizer());

  // What the loop needs to know of an ASCII character (bits of kinds[c]):

  /** Its recognizers run wherever it occurs. */
  private static final byte TRIGGER = 1;

  /** Its recognizers run where a word starts: not after a {@link #TOKEN} character. */
  private static final byte WORD_START_TRIGGER = 2;

  /** A letter, digit, {@code _} or {@code -}: what a word is made of. */
  private static final byte TOKEN = 4;

  private final boolean[] on = new boolean[RedactionType.values().length];

  /** The recognizers to try at each ASCII character, in order; null where none runs. */
  private final Recognizer[][] byChar = new Recognizer[128][];

  /**
   * {@link #TRIGGER}, {@link #WORD_START_TRIGGER} and {@link #TOKEN} by ASCII character, in one
   * table so that the common case, a letter inside a word, costs one load.
   */
  private final byte[] kinds = new byte[128];

  /** The region whose national phone formats count ({@link PhoneNumbers#checkedRegion}). */
  private final String phoneRegion;

  public CandidateScanner(Set<RedactionType> enabled, String phoneRegion) {
    this.phoneRegion = PhoneNumbers.checkedRegion(phoneRegion);
    for (RedactionType t : enabled) {
      on[t.ordinal()] = true;
    }
    boolean[] runs = running(enabled);
    for (char c = 0; c < 128; c++) {
      List<Recognizer> chain = new ArrayList<>();
      for (int r = 0; r < RECOGNIZERS.size(); r++) {
        Recognizer recognizer = RECOGNIZERS.get(r);
        if (runs[r] && recognizer.triggers().indexOf(c) >= 0) {
          if (!chain.isEmpty() && chain.get(0).atWordStart() != recognizer.atWordStart()) {
            throw new IllegalStateException("mixed word-start triggers on '" + c + "'");
          }
          chain.add(recognizer);
        }
      }
      if (!chain.isEmpty()) {
        byChar[c] = chain.toArray(new Recognizer[0]);
        kinds[c] = chain.get(0).atWordStart() ? WORD_START_TRIGGER : TRIGGER;
      }
      if (Chars.isTokenChar(c)) {
        kinds[c] |= TOKEN;
      }
    }
  }

  /**
   * The recognizers that run: each with an enabled type, and every recognizer that shares a trigger
   * character with one that runs (directly or through another). What a recognizer skips (a token
   * with a key prefix, a data URI's payload, a {@code ::}) shapes what its neighbours see, so it
   * skips it whether or not its own types are on.
   */
  private static boolean[] running(Set<RedactionType> enabled) {
    int count = RECOGNIZERS.size();
    boolean[] runs = new boolean[count];
    for (int r = 0; r < count; r++) {
      for (RedactionType t : RECOGNIZERS.get(r).emits()) {
        runs[r] |= enabled.contains(t);
      }
    }
    boolean grew = true;
    while (grew) {
      grew = false;
      for (int a = 0; a < count; a++) {
        for (int b = 0; b < count; b++) {
          if (runs[a] && !runs[b] && sharesTrigger(RECOGNIZERS.get(a), RECOGNIZERS.get(b))) {
            runs[b] = true;
            grew = true;
          }
        }
      }
    }
    return runs;
  }

  private static boolean sharesTrigger(Recognizer a, Recognizer b) {
    return a.triggers().chars().anyMatch(c -> b.triggers().indexOf(c) >= 0);
  }

  public Candidates scan(String s) {
    Scan scan = new Scan(on, phoneRegion);
    byte[] kinds = this.kinds;
    int n = s.length();
    int i = 0;
    // whether s[i - 1] is a TOKEN character, carried along so that a word start needs no look-back
    boolean afterToken = false;
    while (i < n) {
      char c = s.charAt(i);
      int kind = c < 128 ? kinds[c] : 0;
      if ((kind & TRIGGER) != 0 || ((kind & WORD_START_TRIGGER) != 0 && !afterToken)) {
        int resume = dispatch(byChar[c], s, i, scan);
        if (resume > i + 1) {
          i = resume;
          afterToken = Chars.isTokenChar(s.charAt(i - 1));
          continue;
        }
      }
      afterToken = (kind & TOKEN) != 0;
      i++;
    }
    return scan.found();
  }

  /** The first recognizer of the chain that claims position {@code i}: where the scan resumes. */
  private static int dispatch(Recognizer[] chain, String s, int i, Scan scan) {
    for (Recognizer recognizer : chain) {
      int resume = recognizer.scan(s, i, scan);
      if (resume > i) {
        return resume;
      }
    }
    return i;
  }
}

package dev.sluice.pipeline.redaction.internals;

import dev.sluice.pipeline.redaction.RedactionType;
import java.util.Set;

/**
 * One family of rules. The scan loop calls a recognizer only at its trigger characters; the
 * recognizer validates the candidate there with bounded look-around, adds what it finds to the
 * {@link Scan}, and says where the loop resumes. Stateless and shared by every scan: whatever it
 * keeps between calls lives in the {@code Scan}.
 */
interface Recognizer {
  /** What {@link #scan} returns when the position is not this recognizer's. */
  int DECLINE = -1;

  /** The ASCII characters at which the loop calls {@link #scan}. */
  String triggers();

  /**
   * True when a trigger counts only where a word starts: at the text's start or after a character
   * that is not a letter, digit, {@code _} or {@code -}.
   */
  boolean atWordStart();

  /**
   * The types it can add. It runs when one of them is enabled, or when a recognizer it shares a
   * trigger character with runs: it then still skips what it would have skipped.
   */
  Set<RedactionType> emits();

  /**
   * Looks at the candidate whose trigger is at {@code i} and adds its matches to {@code scan}
   * (which drops disabled types). Returns where the loop resumes, after {@code i}; or {@link
   * #DECLINE} (any value up to {@code i}) to let the next recognizer of that character look.
   */
  int scan(String s, int i, Scan scan);
}

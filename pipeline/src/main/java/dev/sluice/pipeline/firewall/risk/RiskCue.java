package dev.sluice.pipeline.firewall.risk;

import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * One named sign of prompt injection and how much it alone says about a chunk.
 *
 * @param name stable snake_case name, reported in {@code reasons}
 * @param weight probability-like strength in (0, 1); cues combine by noisy-OR
 * @param scope what the cue looks at
 * @param triggers the matcher runs only when one of these is present: whole words of a clause for
 *     {@link Scope#CLAUSE} (in Chinese, which has no spaces, two characters), substrings otherwise;
 *     empty means always. A cheap gate, for speed only.
 * @param matcher the test, given normalised lower-case text of that scope
 */
public record RiskCue(
    String name, double weight, Scope scope, List<String> triggers, Predicate<String> matcher) {

  /** What text a cue is shown. */
  public enum Scope {
    /**
     * One sentence or line, with leading bullets and politeness ("please", "also", "make sure to")
     * taken off so the cue sees the verb that starts it.
     */
    CLAUSE,
    /** The whole normalised chunk, line breaks kept (code blocks, chat-template markers). */
    DOCUMENT,
    /**
     * The chunk reduced to its letters, to see through spacing and punctuation tricks. The pattern
     * must start with one of its triggers: it is tried from each of them, on a window of letters.
     */
    SQUASHED,
    /**
     * What one invisible carrier hides (tag characters, a run of variation selectors), normalised:
     * a cue that such a carrier exists. The hidden text is also scored by every other cue.
     */
    HIDDEN
  }

  public RiskCue {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(scope, "scope");
    Objects.requireNonNull(matcher, "matcher");
    triggers = List.copyOf(triggers);
    if (!(weight > 0.0 && weight < 1.0)) {
      throw new IllegalArgumentException("weight must be in (0, 1): " + weight);
    }
  }

  boolean matches(String text) {
    return matcher.test(text);
  }

  @Override
  public String toString() {
    return "RiskCue[" + name + ", " + weight + ", " + scope + "]";
  }
}

package dev.sluice.pipeline.firewall.risk;

/**
 * {@code CONTEXT_FIREWALL_RISK_THRESHOLD}: a sensitivity level from 1 to 10, default 5. Higher is
 * stricter: a higher level blocks at a lower risk score. A text is blocked when its score is at
 * least the level's blocking score:
 *
 * <table>
 *   <caption>Level to blocking score</caption>
 *   <tr><th>level</th><td>1</td><td>2</td><td>3</td><td>4</td><td>5</td><td>6</td><td>7</td>
 *       <td>8</td><td>9</td><td>10</td></tr>
 *   <tr><th>blocks at score &ge;</th><td>0.95</td><td>0.90</td><td>0.80</td><td>0.72</td>
 *       <td>0.60</td><td>0.50</td><td>0.45</td><td>0.40</td><td>0.30</td><td>0.20</td></tr>
 * </table>
 *
 * <p>With the shipped cue weights ({@link InjectionCues}): level 5 blocks on any one structural cue
 * (an instruction aimed at the answer, an off-task request, an attempt to override instructions, a
 * fake system message) or on two weak ones together; levels 3 and 4 block on one classic cue of
 * weight 0.75 or more (override, reveal, fake system or tool message, exfiltration) but not on a
 * lone instruction aimed at the answer; levels 1 and 2 need two cues; levels 7 to 10 also block on
 * a single weak cue (planted code payload, a stray impersonal question). A word hidden in invisible
 * characters ({@code hidden_text}, 0.50) blocks from level 6, or at level 5 with any other cue; a
 * hidden sentence (0.60) blocks from level 5.
 */
public final class Sensitivity {

  public static final int MIN_LEVEL = 1;
  public static final int MAX_LEVEL = 10;
  public static final int DEFAULT_LEVEL = 5;

  private static final double[] BLOCKING_SCORE = {
    0.95, 0.90, 0.80, 0.72, 0.60, 0.50, 0.45, 0.40, 0.30, 0.20
  };

  private Sensitivity() {}

  /** The lowest score that is blocked at {@code level}; strictly decreasing in the level. */
  public static double blockingScore(int level) {
    if (level < MIN_LEVEL || level > MAX_LEVEL) {
      throw new IllegalArgumentException(
          "sensitivity level must be " + MIN_LEVEL + ".." + MAX_LEVEL + ": " + level);
    }
    return BLOCKING_SCORE[level - 1];
  }

  public static boolean blocks(RiskAssessment assessment, int level) {
    return assessment.score() >= blockingScore(level);
  }
}

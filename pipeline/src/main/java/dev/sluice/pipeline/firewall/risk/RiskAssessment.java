package dev.sluice.pipeline.firewall.risk;

import java.util.List;

/**
 * The risk of one text: a score in [0, 1] and the names of the cues that fired, strongest first. It
 * holds nothing of the text itself, so it can go to audit, logs and error replies.
 */
public record RiskAssessment(double score, List<String> cues) {

  public static final RiskAssessment NONE = new RiskAssessment(0.0, List.of());

  public RiskAssessment {
    if (!(score >= 0.0 && score <= 1.0)) {
      throw new IllegalArgumentException("score must be in [0, 1]: " + score);
    }
    cues = List.copyOf(cues);
  }

  public boolean flagged() {
    return !cues.isEmpty();
  }
}

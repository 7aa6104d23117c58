package dev.sluice.schemas.envelope;

import java.util.ArrayList;
import java.util.List;

/**
 * What the firewall saw in a request it let through (flag mode, or below the blocking level): the
 * highest injection risk score, 0 to 1, and the names of the cues that fired. Never any text.
 */
public record RiskFlag(double risk, List<String> cues) {
  public RiskFlag {
    cues = cues == null ? List.of() : List.copyOf(cues);
  }

  /** The stronger of two findings, with the cues of both. */
  public RiskFlag merge(RiskFlag other) {
    if (other == null) {
      return this;
    }
    List<String> all = new ArrayList<>(cues);
    for (String cue : other.cues()) {
      if (!all.contains(cue)) {
        all.add(cue);
      }
    }
    return new RiskFlag(Math.max(risk, other.risk()), all);
  }
}

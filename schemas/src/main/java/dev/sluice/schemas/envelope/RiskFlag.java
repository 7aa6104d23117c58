package dev.sluice.schemas.envelope;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.List;

/**
 * What the firewall saw in a request it let through (flag mode, or below the blocking level): the
 * highest injection risk score, 0 to 1, and the names of the cues that fired. Never any text.
 *
 * @param hiddenChars how many characters of invisible carriers (tag characters, variation-selector
 *     runs) the prompt and context held, or null when they held none
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RiskFlag(
    double risk, List<String> cues, @JsonProperty("hidden_chars") Integer hiddenChars) {
  public RiskFlag {
    cues = cues == null ? List.of() : List.copyOf(cues);
    if (hiddenChars != null && hiddenChars < 1) {
      // None is null, so the wire has one way to say it.
      throw new IllegalArgumentException("hiddenChars is null or positive");
    }
  }

  /** A finding without hidden text. */
  public RiskFlag(double risk, List<String> cues) {
    this(risk, cues, null);
  }

  /** The stronger of two findings, with the cues of both and their hidden characters added up. */
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
    Integer hidden =
        hiddenChars == null
            ? other.hiddenChars()
            : other.hiddenChars() == null ? hiddenChars : hiddenChars + other.hiddenChars();
    return new RiskFlag(Math.max(risk, other.risk()), all, hidden);
  }
}

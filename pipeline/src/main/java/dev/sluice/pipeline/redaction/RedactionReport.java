package dev.sluice.pipeline.redaction;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How many matches of each type were replaced, keyed by {@link RedactionType} name. This is what
 * goes into {@code meta.redactions} and the audit record; it never holds any of the text.
 */
public record RedactionReport(Map<String, Integer> counts) {
  public static final RedactionReport EMPTY = new RedactionReport(Map.of());

  public RedactionReport {
    if (counts == null) {
      throw new NullPointerException("counts");
    }
    counts = Collections.unmodifiableMap(new LinkedHashMap<>(counts));
  }

  /** Builds the report from counts indexed by {@link RedactionType#ordinal()}. */
  static RedactionReport ofOrdinalCounts(int[] byOrdinal) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    RedactionType[] types = RedactionType.values();
    for (int i = 0; i < byOrdinal.length; i++) {
      if (byOrdinal[i] > 0) {
        counts.put(types[i].name(), byOrdinal[i]);
      }
    }
    return counts.isEmpty() ? EMPTY : new RedactionReport(counts);
  }

  /** Adds these counts to {@code totals}, by type name. */
  void addTo(Map<String, Integer> totals) {
    counts.forEach((type, n) -> totals.merge(type, n, Integer::sum));
  }

  public int count(RedactionType type) {
    return counts.getOrDefault(type.name(), 0);
  }

  public int total() {
    int total = 0;
    for (int c : counts.values()) {
      total += c;
    }
    return total;
  }

  public boolean isEmpty() {
    return counts.isEmpty();
  }

  @Override
  public String toString() {
    return "RedactionReport" + counts;
  }
}

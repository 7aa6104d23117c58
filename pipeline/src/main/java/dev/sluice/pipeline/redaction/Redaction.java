package dev.sluice.pipeline.redaction;

import java.util.Objects;

/**
 * The outcome of {@link Redactor#redact}: the cleaned text and what was replaced in it. When
 * nothing matched, {@code text} is the very string that was passed in.
 */
public record Redaction(String text, RedactionReport report) {
  public Redaction {
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(report, "report");
  }

  public boolean changed() {
    return !report.isEmpty();
  }

  /** Hides the text: even redacted, a completion is not log material. */
  @Override
  public String toString() {
    return "Redaction[chars=" + text.length() + ", report=" + report + "]";
  }
}

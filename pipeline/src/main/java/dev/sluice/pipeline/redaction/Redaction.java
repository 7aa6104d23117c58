package dev.sluice.pipeline.redaction;

import java.util.List;
import java.util.Objects;

/**
 * The outcome of {@link Redactor#redact}: the cleaned text, what was replaced in it, and where.
 * When nothing matched, {@code text} is the very string that was passed in and there are no edits.
 *
 * @param edits the replacements that turn the original into {@code text}, in text order and never
 *     overlapping, at offsets of the original: what lets an offset into the original (an
 *     annotation's span, a logprob token) follow the text
 */
public record Redaction(String text, RedactionReport report, List<Edit> edits) {
  public Redaction {
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(report, "report");
    edits = List.copyOf(edits);
  }

  /** Nothing replaced in {@code text}. */
  static Redaction unchanged(String text) {
    return new Redaction(text, RedactionReport.EMPTY, List.of());
  }

  /** {@code original} with {@code edits} (in text order, never overlapping) applied. */
  static Redaction spliced(String original, List<Edit> edits, RedactionReport report) {
    if (edits.isEmpty()) {
      return unchanged(original);
    }
    StringBuilder out = new StringBuilder(original.length() + 16 * edits.size());
    int at = 0;
    for (Edit edit : edits) {
      out.append(original, at, edit.start()).append(edit.replacement());
      at = edit.end();
    }
    out.append(original, at, original.length());
    return new Redaction(out.toString(), report, edits);
  }

  /**
   * One replacement: the original's characters {@code [start, end)} became {@code replacement}.
   * Holds a marker (or a JSON literal of one), never the text it replaced.
   */
  public record Edit(int start, int end, String replacement) {
    public Edit {
      Objects.requireNonNull(replacement, "replacement");
      if (start < 0 || end < start) {
        throw new IllegalArgumentException("bad span " + start + ".." + end);
      }
    }
  }

  public boolean changed() {
    return !edits.isEmpty();
  }

  /**
   * Where an offset of the original is in {@code text}. An offset inside a replaced span moves to
   * the start of its replacement when it opens a span ({@code opening}), else to its end, so a span
   * that overlapped a redaction covers the whole marker and never a piece of it.
   */
  public int map(int offset, boolean opening) {
    int shift = 0;
    for (Edit edit : edits) {
      if (offset <= edit.start()) {
        break;
      }
      if (offset < edit.end()) {
        return edit.start() + shift + (opening ? 0 : edit.replacement().length());
      }
      shift += edit.replacement().length() - (edit.end() - edit.start());
    }
    return offset + shift;
  }

  /** Hides the text: even redacted, a completion is not log material. */
  @Override
  public String toString() {
    return "Redaction[chars=" + text.length() + ", report=" + report + "]";
  }
}

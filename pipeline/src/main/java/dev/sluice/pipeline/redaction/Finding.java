package dev.sluice.pipeline.redaction;

/**
 * One match the redactor will replace: its type and its UTF-16 offsets in the scanned text. Holds
 * no text, so it is safe to log.
 */
public record Finding(RedactionType type, int start, int end) {
  public Finding {
    if (type == null) {
      throw new NullPointerException("type");
    }
    if (start < 0 || end <= start) {
      throw new IllegalArgumentException("bad span " + start + ".." + end);
    }
  }

  public int length() {
    return end - start;
  }
}

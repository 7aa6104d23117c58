package dev.sluice.pipeline.redaction;

/**
 * One match the redactor will replace: its type, its UTF-16 offsets in the scanned text, and for a
 * secret who issued it. Holds no text, so it is safe to log.
 *
 * @param provider a short lower-case id of the secret's issuer or family ({@code github}, {@code
 *     datadog}, {@code jwt}, {@code private-key}); null for PII
 */
public record Finding(RedactionType type, int start, int end, String provider) {
  public Finding {
    if (type == null) {
      throw new NullPointerException("type");
    }
    if (start < 0 || end <= start) {
      throw new IllegalArgumentException("bad span " + start + ".." + end);
    }
    if (provider != null && !isProviderId(provider)) {
      throw new IllegalArgumentException("provider must be a short lower-case id");
    }
  }

  /** A finding with no provider (PII). */
  public Finding(RedactionType type, int start, int end) {
    this(type, start, end, null);
  }

  public int length() {
    return end - start;
  }

  private static boolean isProviderId(String id) {
    if (id.isEmpty() || id.length() > 32) {
      return false;
    }
    for (int k = 0; k < id.length(); k++) {
      char c = id.charAt(k);
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
        return false;
      }
    }
    return true;
  }
}

package dev.sluice.pipeline.redaction.internals;

import dev.sluice.pipeline.redaction.RedactionType;

/**
 * The state of one scan: the matches so far, the enabled types, and the scratch that recognizers
 * keep between calls. Not thread-safe: one per scan.
 */
final class Scan {
  private final Candidates found = new Candidates();
  private final boolean[] on;
  private NumberRecognizer.DigitGroups digitGroups;

  /** The next "-----END " at or after {@code pemEndFrom} ({@link PrivateKeyRecognizer}). */
  int pemEndFrom = -1;

  int pemEndAt = -1;

  private final String phoneRegion;

  /**
   * {@code on} is indexed by {@link RedactionType#ordinal()}; it is shared, never written. {@code
   * phoneRegion} is the region whose national phone formats count ({@link PhoneNumbers}).
   */
  Scan(boolean[] on, String phoneRegion) {
    this.on = on;
    this.phoneRegion = phoneRegion;
  }

  boolean on(RedactionType type) {
    return on[type.ordinal()];
  }

  /** Records a match when its type is enabled. */
  void add(RedactionType type, int start, int end) {
    add(type, null, start, end);
  }

  /** Records a match and who issued it ({@code github}; null for PII) when its type is enabled. */
  void add(RedactionType type, String provider, int start, int end) {
    if (on[type.ordinal()]) {
      found.add(type, provider, start, end);
    }
  }

  /** The groups of the digit run being read, emptied; allocated at the scan's first run. */
  NumberRecognizer.DigitGroups digitGroups() {
    if (digitGroups == null) {
      digitGroups = new NumberRecognizer.DigitGroups();
      digitGroups.region = phoneRegion;
    }
    digitGroups.groups = 0;
    return digitGroups;
  }

  Candidates found() {
    return found;
  }
}

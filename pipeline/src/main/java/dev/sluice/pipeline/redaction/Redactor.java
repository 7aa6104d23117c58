package dev.sluice.pipeline.redaction;

import dev.sluice.pipeline.redaction.internals.CandidateScanner;
import dev.sluice.pipeline.redaction.internals.Candidates;
import dev.sluice.pipeline.redaction.internals.PhoneNumbers;
import dev.sluice.pipeline.shadow.MappedText;
import dev.sluice.pipeline.shadow.ShadowText;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Replaces PII and secrets in text with {@code [REDACTED:<TYPE>]}. Immutable and thread-safe: build
 * one per set of enabled types and share it.
 *
 * <p>One forward pass finds candidate positions with cheap character checks (an {@code @}, a digit
 * run, a known key prefix at a word start, an {@code =} or {@code :} after a secret-like name) and
 * validates each locally with hand-written code and checksums, so the cost is linear in the text
 * and no input can make it backtrack.
 *
 * <p>The same pass runs on the text's {@link ShadowText} when it shows something the text does not
 * (invisible characters removed, Unicode digits and separators folded, hidden and encoded text
 * decoded), and every match found there replaces the original characters it came from: a value
 * cannot walk around the rules by how it is written, and the output keeps no form of it.
 */
public final class Redactor {
  private final Set<RedactionType> enabled;
  private final CandidateScanner scanner;

  private Redactor(Set<RedactionType> enabled, String phoneRegion) {
    this.enabled = Collections.unmodifiableSet(EnumSet.copyOf(enabled));
    this.scanner = new CandidateScanner(this.enabled, phoneRegion);
  }

  /** A redactor with every type enabled, reading national phone numbers as the US writes them. */
  public static Redactor create() {
    return new Redactor(RedactionType.all(), PhoneNumbers.DEFAULT_REGION);
  }

  /**
   * A redactor for the given types only (for instance a tenant's switches), phones as in the US.
   */
  public static Redactor create(Set<RedactionType> enabled) {
    return create(enabled, PhoneNumbers.DEFAULT_REGION);
  }

  /**
   * A redactor for the given types that reads national phone numbers (no {@code +} or {@code 00})
   * as {@code phoneRegion} writes them: an ISO 3166 code such as {@code US} or {@code DE}.
   *
   * @throws IllegalArgumentException for a region libphonenumber does not know
   */
  public static Redactor create(Set<RedactionType> enabled, String phoneRegion) {
    if (enabled == null) {
      throw new NullPointerException("enabled");
    }
    return new Redactor(
        enabled.isEmpty() ? EnumSet.noneOf(RedactionType.class) : EnumSet.copyOf(enabled),
        phoneRegion);
  }

  public Set<RedactionType> enabledTypes() {
    return enabled;
  }

  /**
   * Redacts {@code text}. Returns the same string, an empty report and no edits when nothing
   * matched.
   */
  public Redaction redact(String text) {
    if (text == null) {
      throw new NullPointerException("text");
    }
    Candidates found = candidates(text);
    if (found.isEmpty()) {
      return Redaction.unchanged(text);
    }
    found.resolveOverlaps();
    int[] counts = new int[RedactionType.values().length];
    RedactionType[] types = RedactionType.values();
    List<Redaction.Edit> edits = new ArrayList<>(found.size());
    for (int k = 0; k < found.size(); k++) {
      RedactionType type = types[found.type(k)];
      edits.add(new Redaction.Edit(found.start(k), found.end(k), type.placeholder()));
      counts[type.ordinal()]++;
    }
    return Redaction.spliced(text, edits, RedactionReport.ofOrdinalCounts(counts));
  }

  /** {@link #redact}, adding what it replaced to {@code counts} (by type name). */
  Redaction redact(String text, Map<String, Integer> counts) {
    Redaction redaction = redact(text);
    redaction.report().addTo(counts);
    return redaction;
  }

  /**
   * The matches {@link #redact} would replace, in text order and never overlapping, at offsets of
   * {@code text} (a match found in the shadow at the characters it came from).
   */
  public List<Finding> find(String text) {
    if (text == null) {
      throw new NullPointerException("text");
    }
    Candidates found = candidates(text);
    if (found.isEmpty()) {
      return List.of();
    }
    found.resolveOverlaps();
    RedactionType[] types = RedactionType.values();
    List<Finding> findings = new ArrayList<>(found.size());
    for (int k = 0; k < found.size(); k++) {
      findings.add(
          new Finding(types[found.type(k)], found.start(k), found.end(k), found.provider(k)));
    }
    return Collections.unmodifiableList(findings);
  }

  /** The matches in {@code text} and in its shadow's views, all at offsets of {@code text}. */
  private Candidates candidates(String text) {
    Candidates found = scanner.scan(text);
    ShadowText shadow = ShadowText.of(text);
    for (MappedText view : shadow.views()) {
      found.addMapped(scanner.scan(view.text()), view);
    }
    for (MappedText view : shadow.separated()) {
      found.addGuesses(scanner.scan(view.text()), view);
    }
    return found;
  }

  @Override
  public String toString() {
    return "Redactor" + enabled;
  }
}

package dev.sluice.pipeline.redaction;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs the secrets corpus ({@code redaction/secrets-corpus.txt}): fake credentials written from the
 * providers' documented formats, and true negatives that look like them (UUIDs, hashes, images,
 * ordinary code, version strings, order numbers).
 */
class SecretsCorpusTest {
  private static final Redactor REDACTOR = Redactor.create();

  /**
   * One line: a positive names its type and provider and marks its span; a negative may name the
   * provider whose format it nearly has.
   */
  record Case(
      int line,
      boolean positive,
      RedactionType type,
      String provider,
      String text,
      int start,
      int end) {
    @Override
    public String toString() {
      return "line " + line + (positive ? " " + type + " " + provider : " negative " + provider);
    }
  }

  static List<Case> corpus() throws IOException {
    List<Case> cases = new ArrayList<>();
    try (InputStream in =
        SecretsCorpusTest.class.getResourceAsStream("/redaction/secrets-corpus.txt")) {
      String[] lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n");
      for (int i = 0; i < lines.length; i++) {
        String line = lines[i];
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        int bar = line.indexOf(" | ");
        String[] head = line.substring(0, bar).trim().split(" +");
        String text = withChecksums(line.substring(bar + 3).replace("\\n", "\n"));
        if (head[0].equals("+")) {
          RedactionType type = RedactionType.valueOf(head[1]);
          int start = text.indexOf("[[");
          int end = text.indexOf("]]") - 2;
          text = text.replace("[[", "").replace("]]", "");
          cases.add(new Case(i + 1, true, type, head[2], text, start, end));
        } else {
          cases.add(new Case(i + 1, false, null, head.length > 1 ? head[1] : null, text, -1, -1));
        }
      }
    }
    return cases;
  }

  /** Fills each {crc} with the base62 CRC32 of the 30 characters before it (GitHub, npm). */
  static String withChecksums(String text) {
    StringBuilder sb = new StringBuilder(text);
    for (int at = sb.indexOf("{crc}"); at >= 0; at = sb.indexOf("{crc}")) {
      CRC32 crc = new CRC32();
      crc.update(sb.substring(at - 30, at).getBytes(StandardCharsets.US_ASCII));
      long v = crc.getValue();
      char[] digits = new char[6];
      String base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
      for (int k = 5; k >= 0; k--) {
        digits[k] = base62.charAt((int) (v % 62));
        v /= 62;
      }
      sb.replace(at, at + 5, new String(digits));
    }
    return sb.toString();
  }

  static Stream<Arguments> positives() throws IOException {
    return corpus().stream().filter(Case::positive).map(Arguments::of);
  }

  static Stream<Arguments> negatives() throws IOException {
    return corpus().stream().filter(c -> !c.positive()).map(Arguments::of);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("positives")
  void everyPositiveIsRedactedWithItsTypeAndProvider(Case c) {
    assertThat(REDACTOR.find(c.text()))
        .containsExactly(new Finding(c.type(), c.start(), c.end(), c.provider()));
    Redaction r = REDACTOR.redact(c.text());
    assertThat(r.text()).contains(c.type().placeholder());
    assertThat(r.text()).doesNotContain(c.text().substring(c.start(), c.end()));
    assertThat(r.report().counts()).containsExactly(java.util.Map.entry(c.type().name(), 1));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("negatives")
  void noNegativeIsTouched(Case c) {
    assertThat(REDACTOR.find(c.text())).isEmpty();
    assertThat(REDACTOR.redact(c.text()).text()).isSameAs(c.text());
  }

  @Test
  void theCorpusCoversEverySecretType() throws IOException {
    List<RedactionType> covered = corpus().stream().filter(Case::positive).map(Case::type).toList();
    for (RedactionType t : RedactionType.values()) {
      boolean secret =
          t.specificity() >= 60; // provider keys, JWT, bearer/basic, PEM, URL creds, assignments
      if (secret) {
        assertThat(covered).as("corpus positives for %s", t).contains(t);
      }
    }
    assertThat(corpus().stream().filter(c -> !c.positive()).count()).isGreaterThan(25);
  }
}

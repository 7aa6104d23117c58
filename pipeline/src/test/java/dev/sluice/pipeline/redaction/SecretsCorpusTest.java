package dev.sluice.pipeline.redaction;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
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

  record Case(int line, boolean positive, RedactionType type, String text, int start, int end) {
    @Override
    public String toString() {
      return "line " + line + (positive ? " " + type : " negative");
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
        String head = line.substring(0, bar).trim();
        String text = line.substring(bar + 3).replace("\\n", "\n");
        if (head.startsWith("+")) {
          RedactionType type = RedactionType.valueOf(head.substring(1).trim());
          int start = text.indexOf("[[");
          int end = text.indexOf("]]") - 2;
          text = text.replace("[[", "").replace("]]", "");
          cases.add(new Case(i + 1, true, type, text, start, end));
        } else {
          cases.add(new Case(i + 1, false, null, text, -1, -1));
        }
      }
    }
    return cases;
  }

  static Stream<Arguments> positives() throws IOException {
    return corpus().stream().filter(Case::positive).map(Arguments::of);
  }

  static Stream<Arguments> negatives() throws IOException {
    return corpus().stream().filter(c -> !c.positive()).map(Arguments::of);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("positives")
  void everyPositiveIsRedactedWithItsType(Case c) {
    assertThat(REDACTOR.find(c.text())).containsExactly(new Finding(c.type(), c.start(), c.end()));
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

package dev.sluice.tools.eval;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.pipeline.redaction.Finding;
import dev.sluice.pipeline.redaction.Redaction;
import dev.sluice.pipeline.redaction.RedactionType;
import dev.sluice.pipeline.redaction.Redactor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs the secrets corpus ({@value SecretsCorpus#DEFAULT_PATH}), read as {@code
 * scripts/eval-guardrails} reads it: fake credentials written from the providers' documented
 * formats, and true negatives that look like them (UUIDs, hashes, images, ordinary code, version
 * strings, order numbers). Here every line must pass; the evaluation counts instead.
 */
class SecretsCorpusTest {
  private static final Redactor REDACTOR = Redactor.create();

  /** The corpus, found from the module's directory (where the build runs tests) upwards. */
  static List<SecretsCorpus.Case> corpus() throws IOException {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.exists(dir.resolve(SecretsCorpus.DEFAULT_PATH))) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw new IOException("no " + SecretsCorpus.DEFAULT_PATH + " above the working directory");
    }
    return SecretsCorpus.read(dir.resolve(SecretsCorpus.DEFAULT_PATH));
  }

  static Stream<Arguments> positives() throws IOException {
    return corpus().stream().filter(SecretsCorpus.Case::positive).map(Arguments::of);
  }

  static Stream<Arguments> negatives() throws IOException {
    return corpus().stream().filter(c -> !c.positive()).map(Arguments::of);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("positives")
  void everyPositiveIsRedactedWithItsTypeAndProvider(SecretsCorpus.Case c) {
    RedactionType type = RedactionType.valueOf(c.type());
    assertThat(REDACTOR.find(c.text()))
        .containsExactly(new Finding(type, c.start(), c.end(), c.provider()));
    Redaction r = REDACTOR.redact(c.text());
    assertThat(r.text()).contains(type.placeholder());
    assertThat(r.text()).doesNotContain(c.text().substring(c.start(), c.end()));
    assertThat(r.report().counts()).containsExactly(Map.entry(type.name(), 1));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("negatives")
  void noNegativeIsTouched(SecretsCorpus.Case c) {
    assertThat(REDACTOR.find(c.text())).isEmpty();
    assertThat(REDACTOR.redact(c.text()).text()).isSameAs(c.text());
  }

  @Test
  void theCorpusCoversEverySecretType() throws IOException {
    List<String> covered =
        corpus().stream()
            .filter(SecretsCorpus.Case::positive)
            .map(SecretsCorpus.Case::type)
            .toList();
    for (RedactionType t : RedactionType.values()) {
      // provider keys, JWT, bearer/basic, PEM, URL credentials, assignments
      if (t.specificity() >= 60) {
        assertThat(covered).as("corpus positives for %s", t).contains(t.name());
      }
    }
    assertThat(corpus().stream().filter(c -> !c.positive()).count()).isGreaterThan(25);
  }
}

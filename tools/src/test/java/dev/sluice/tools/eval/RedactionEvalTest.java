package dev.sluice.tools.eval;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.pipeline.redaction.Redactor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The scoring rules, on a tiny hand-written set in the dataset's shape (not the dataset). */
class RedactionEvalTest {
  @TempDir Path dir;

  @Test
  void scoresCoverageAndCountsRedactionsOfOtherEntitiesAsFalsePositives() throws IOException {
    String json =
        """
        [
          {"full_text": "Mail me at kim@example.org now",
           "spans": [{"entity_type": "EMAIL_ADDRESS", "entity_value": "kim@example.org",
                      "start_position": 11, "end_position": 26}]},
          {"full_text": "Suite 3 at 415-555-0132",
           "spans": [{"entity_type": "ADDRESS", "entity_value": "Suite 3 at 415-555-0132",
                      "start_position": 0, "end_position": 23}]},
          {"full_text": "\\ud83d\\ude00 card 4111111111111111",
           "spans": [{"entity_type": "CREDIT_CARD", "entity_value": "4111111111111111",
                      "start_position": 7, "end_position": 23}]},
          {"full_text": "call me",
           "spans": [{"entity_type": "PHONE_NUMBER", "entity_value": "me",
                      "start_position": 5, "end_position": 7}]}
        ]
        """;
    Files.writeString(dir.resolve(RedactionEval.DATASET), json, StandardCharsets.UTF_8);

    Map<String, RedactionEval.Score> scores =
        RedactionEval.evaluate(Redactor.create(), dir.resolve(RedactionEval.DATASET));

    assertThat(scores.get("EMAIL_ADDRESS")).isEqualTo(new RedactionEval.Score(1, 0, 0));
    assertThat(scores.get("CREDIT_CARD")).isEqualTo(new RedactionEval.Score(1, 0, 0));
    assertThat(scores.get("PHONE_NUMBER")).isEqualTo(new RedactionEval.Score(0, 1, 1));
    assertThat(scores.get("ALL")).isEqualTo(new RedactionEval.Score(2, 1, 1));

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    RedactionEval.print(scores, new PrintStream(out, true, StandardCharsets.UTF_8));
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains("redaction EMAIL_ADDRESS precision=1.000 recall=1.000 f1=1.000 (1/0/0)")
        .contains("redaction PHONE_NUMBER precision=0.000 recall=0.000 f1=0.000 (0/1/1)");
  }

  @Test
  void scoresTheSecretsCorpusByProviderAndByType() throws IOException {
    String corpus =
        """
        # a comment
        + OPENAI_KEY openai | key [[sk-proj-FAKEabcdefghijklmnopqrstuv1234]] here
        + API_KEY groq | key [[gsk_FAKE]] is too short to be found
        - openai | the sk- prefix alone
        - | mail kim@example.org
        """;
    Path file = dir.resolve("corpus.txt");
    Files.writeString(file, corpus, StandardCharsets.UTF_8);

    RedactionEval.SecretScores scores =
        RedactionEval.evaluateSecrets(Redactor.create(), SecretsCorpus.read(file));

    assertThat(scores.byProvider().get("openai"))
        .isEqualTo(new RedactionEval.ProviderScore(1, 1, 0, 1));
    assertThat(scores.byProvider().get("groq"))
        .isEqualTo(new RedactionEval.ProviderScore(1, 0, 0, 0));
    assertThat(scores.byProvider().get("(pii)"))
        .isEqualTo(new RedactionEval.ProviderScore(0, 0, 1, 0));
    assertThat(scores.byType().get("OPENAI_KEY")).isEqualTo(new RedactionEval.Score(1, 0, 0));
    assertThat(scores.byType().get("API_KEY")).isEqualTo(new RedactionEval.Score(0, 0, 1));
    assertThat(scores.byType().get("EMAIL")).isEqualTo(new RedactionEval.Score(0, 1, 0));

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    scores.print(new PrintStream(out, true, StandardCharsets.UTF_8));
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains("secrets openai positives=1 found=1 missed=0 false_positives=0 near_misses=1")
        .contains("secrets groq positives=1 found=0 missed=1 false_positives=0 near_misses=0")
        .contains("secrets ALL providers=2 positives=2 found=1 missed=1 false_positives=1")
        .contains("redaction-secrets OPENAI_KEY precision=1.000 recall=1.000 f1=1.000 (1/0/0)");
  }

  @Test
  void fillsInTheChecksumsTheCorpusLeavesOut() {
    String filled = SecretsCorpus.withChecksums("ghp_FAKEEf6hIj9kLm2nOp5qRs8tUv1wXy{crc} x");
    assertThat(filled).hasSize("ghp_".length() + 36 + 2).doesNotContain("{crc}");
    assertThat(Redactor.create().find(filled)).hasSize(1);
  }
}

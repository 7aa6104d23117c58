package dev.sluice.tools.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.pipeline.redaction.Finding;
import dev.sluice.pipeline.redaction.RedactionType;
import dev.sluice.pipeline.redaction.Redactor;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Measures the redactor on the labelled PII development set ({@code
 * pii-dev.presidio-generated_large.json}) and prints one line per entity type:
 *
 * <pre>redaction EMAIL_ADDRESS precision=0.983 recall=1.000 f1=0.991 (58/1/0)</pre>
 *
 * <p>A labelled span is a true positive when a redaction of the matching type covers it. A
 * redaction that covers no labelled span of its type (unlabelled text, or a span labelled as
 * something else, such as an address or a driver's licence) is a false positive; redactions of
 * secret types count as false positives of the overall line. It reports and exits 0; it does not
 * gate.
 *
 * <p>Usage: {@code RedactionEval [--data DIR]}, DIR defaulting to {@code ../shared/datasets}.
 */
public final class RedactionEval {
  static final String DATASET = "pii-dev.presidio-generated_large.json";

  /** Dataset entity type for each redaction type that the dataset labels. */
  private static final Map<RedactionType, String> LABELS =
      Map.of(
          RedactionType.EMAIL, "EMAIL_ADDRESS",
          RedactionType.PHONE, "PHONE_NUMBER",
          RedactionType.CREDIT_CARD, "CREDIT_CARD",
          RedactionType.IBAN, "IBAN_CODE",
          RedactionType.US_SSN, "US_SSN",
          RedactionType.IPV4, "IP_ADDRESS",
          RedactionType.IPV6, "IP_ADDRESS");

  private static final List<String> SCORED =
      List.of("EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD", "IBAN_CODE", "US_SSN", "IP_ADDRESS");

  private RedactionEval() {}

  /** Counts for one entity type. */
  record Score(int tp, int fp, int fn) {
    double precision() {
      return tp + fp == 0 ? 1.0 : (double) tp / (tp + fp);
    }

    double recall() {
      return tp + fn == 0 ? 1.0 : (double) tp / (tp + fn);
    }

    double f1() {
      double p = precision();
      double r = recall();
      return p + r == 0 ? 0 : 2 * p * r / (p + r);
    }

    Score plus(Score o) {
      return new Score(tp + o.tp, fp + o.fp, fn + o.fn);
    }

    String line(String type) {
      return String.format(
          Locale.ROOT,
          "redaction %s precision=%.3f recall=%.3f f1=%.3f (%d/%d/%d)",
          type,
          precision(),
          recall(),
          f1(),
          tp,
          fp,
          fn);
    }
  }

  public static void main(String[] args) throws IOException {
    Path dir = Path.of("../shared/datasets");
    for (int i = 0; i < args.length; i++) {
      if ("--data".equals(args[i]) && i + 1 < args.length) {
        dir = Path.of(args[++i]);
      } else {
        System.err.println("usage: RedactionEval [--data DIR]");
        return;
      }
    }
    Path file = dir.resolve(DATASET);
    if (!Files.isRegularFile(file)) {
      System.err.println("redaction: dataset not found: " + file.toAbsolutePath());
      return;
    }
    Map<String, Score> scores = evaluate(Redactor.create(), file);
    print(scores, System.out);
  }

  static void print(Map<String, Score> scores, PrintStream out) {
    for (Map.Entry<String, Score> e : scores.entrySet()) {
      out.println(e.getValue().line(e.getKey()));
    }
  }

  /** Scores by entity type, then "OTHER" (secret-type redactions) and "ALL". */
  static Map<String, Score> evaluate(Redactor redactor, Path file) throws IOException {
    JsonNode root = new ObjectMapper().readTree(file.toFile());
    Map<String, int[]> counts = new LinkedHashMap<>();
    for (String t : SCORED) {
      counts.put(t, new int[3]);
    }
    int[] other = new int[3];
    for (JsonNode record : root) {
      String text = record.path("full_text").asText();
      int[] charIndex = codePointToCharIndex(text);
      List<int[]> labels = new ArrayList<>();
      List<String> labelTypes = new ArrayList<>();
      for (JsonNode span : record.path("spans")) {
        labels.add(
            new int[] {
              charIndex[span.path("start_position").asInt()],
              charIndex[span.path("end_position").asInt()]
            });
        labelTypes.add(span.path("entity_type").asText());
      }
      List<Finding> findings = redactor.find(text);
      boolean[] covered = new boolean[labels.size()];
      for (Finding f : findings) {
        String type = LABELS.get(f.type());
        boolean hit = false;
        for (int k = 0; k < labels.size(); k++) {
          int[] l = labels.get(k);
          if (labelTypes.get(k).equals(type) && f.start() <= l[0] && f.end() >= l[1]) {
            covered[k] = true;
            hit = true;
          }
        }
        if (!hit) {
          (type == null ? other : counts.get(type))[1]++;
        }
      }
      for (int k = 0; k < labels.size(); k++) {
        int[] c = counts.get(labelTypes.get(k));
        if (c != null) {
          c[covered[k] ? 0 : 2]++;
        }
      }
    }
    Map<String, Score> scores = new LinkedHashMap<>();
    Score all = new Score(0, other[1], 0);
    for (Map.Entry<String, int[]> e : counts.entrySet()) {
      int[] c = e.getValue();
      Score s = new Score(c[0], c[1], c[2]);
      scores.put(e.getKey(), s);
      all = all.plus(s);
    }
    scores.put("OTHER", new Score(0, other[1], 0));
    scores.put("ALL", all);
    return scores;
  }

  /** The dataset counts code points (Python); Java strings count UTF-16 units. */
  private static int[] codePointToCharIndex(String text) {
    int points = text.codePointCount(0, text.length());
    int[] index = new int[points + 1];
    int ci = 0;
    for (int p = 0; p < points; p++) {
      index[p] = ci;
      ci += Character.charCount(text.codePointAt(ci));
    }
    index[points] = text.length();
    return index;
  }
}

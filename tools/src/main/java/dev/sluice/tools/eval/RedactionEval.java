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
import java.util.TreeMap;

/**
 * Measures the redactor on the labelled PII development set ({@code
 * pii-dev.presidio-generated_large.json}) and prints one line per entity type:
 *
 * <pre>redaction EMAIL_ADDRESS precision=0.983 recall=1.000 f1=0.991 (58/1/0)</pre>
 *
 * <p>Then on the project's secrets corpus ({@link SecretsCorpus}), one line per provider and one
 * per secret type:
 *
 * <pre>
 * secrets github positives=11 found=11 missed=0 false_positives=0 near_misses=3
 * redaction-secrets GITHUB_TOKEN precision=1.000 recall=1.000 f1=1.000 (11/0/0)
 * </pre>
 *
 * <p>A positive is found when a redaction of its type and provider covers its span; a redaction of
 * its type from another provider still counts for the type. Every other redaction in a line, and
 * every redaction in a negative line, is a false positive of its type and provider.
 *
 * <p>A labelled span is a true positive when a redaction of the matching type covers it. A
 * redaction that covers no labelled span of its type (unlabelled text, or a span labelled as
 * something else, such as an address or a driver's licence) is a false positive; redactions of
 * secret types count as false positives of the overall line. It reports and exits 0; it does not
 * gate.
 *
 * <p>Usage: {@code RedactionEval [--data DIR] [--secrets FILE]}, DIR defaulting to {@code
 * ../shared/datasets}, FILE to {@value SecretsCorpus#DEFAULT_PATH} under the working directory.
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
    Path secrets = Path.of(SecretsCorpus.DEFAULT_PATH);
    for (int i = 0; i < args.length; i++) {
      if ("--data".equals(args[i]) && i + 1 < args.length) {
        dir = Path.of(args[++i]);
      } else if ("--secrets".equals(args[i]) && i + 1 < args.length) {
        secrets = Path.of(args[++i]);
      } else {
        System.err.println("usage: RedactionEval [--data DIR] [--secrets FILE]");
        return;
      }
    }
    Redactor redactor = Redactor.create();
    Path file = dir.resolve(DATASET);
    if (Files.isRegularFile(file)) {
      print(evaluate(redactor, file), System.out);
    } else {
      System.err.println("redaction: dataset not found: " + file.toAbsolutePath());
    }
    if (Files.isRegularFile(secrets)) {
      evaluateSecrets(redactor, SecretsCorpus.read(secrets)).print(System.out);
    } else {
      System.err.println("redaction: secrets corpus not found: " + secrets.toAbsolutePath());
    }
  }

  /** Per provider: positives, found, false positives, near misses (negatives naming it). */
  record ProviderScore(int positives, int found, int falsePositives, int nearMisses) {
    int missed() {
      return positives - found;
    }

    ProviderScore plus(ProviderScore o) {
      return new ProviderScore(
          positives + o.positives,
          found + o.found,
          falsePositives + o.falsePositives,
          nearMisses + o.nearMisses);
    }
  }

  /** The secrets corpus's scores by provider and by type. */
  record SecretScores(Map<String, ProviderScore> byProvider, Map<String, Score> byType) {
    void print(PrintStream out) {
      ProviderScore all = new ProviderScore(0, 0, 0, 0);
      for (Map.Entry<String, ProviderScore> e : byProvider.entrySet()) {
        ProviderScore p = e.getValue();
        all = all.plus(p);
        out.println(
            String.format(
                Locale.ROOT,
                "secrets %s positives=%d found=%d missed=%d false_positives=%d near_misses=%d",
                e.getKey(),
                p.positives(),
                p.found(),
                p.missed(),
                p.falsePositives(),
                p.nearMisses()));
      }
      long providers = byProvider.values().stream().filter(p -> p.positives() > 0).count();
      out.println(
          String.format(
              Locale.ROOT,
              "secrets ALL providers=%d positives=%d found=%d missed=%d false_positives=%d",
              providers,
              all.positives(),
              all.found(),
              all.missed(),
              all.falsePositives()));
      Score total = new Score(0, 0, 0);
      for (Map.Entry<String, Score> e : byType.entrySet()) {
        out.println(
            e.getValue().line(e.getKey()).replaceFirst("^redaction ", "redaction-secrets "));
        total = total.plus(e.getValue());
      }
      out.println(total.line("ALL").replaceFirst("^redaction ", "redaction-secrets "));
    }
  }

  /** Scores the redactor on the secrets corpus (see the class comment for the rules). */
  static SecretScores evaluateSecrets(Redactor redactor, List<SecretsCorpus.Case> cases) {
    Map<String, int[]> providers = new TreeMap<>();
    Map<String, int[]> types = new TreeMap<>();
    for (SecretsCorpus.Case c : cases) {
      List<Finding> findings = redactor.find(c.text());
      Finding hit = null;
      Finding typeHit = null;
      if (c.positive()) {
        for (Finding f : findings) {
          boolean covers = f.start() <= c.start() && f.end() >= c.end();
          if (covers && f.type().name().equals(c.type())) {
            typeHit = typeHit == null ? f : typeHit;
            if (c.provider().equals(f.provider())) {
              hit = f;
            }
          }
        }
        int[] p = providers.computeIfAbsent(c.provider(), k -> new int[4]);
        p[0]++;
        if (hit != null) {
          p[1]++;
        }
        types.computeIfAbsent(c.type(), k -> new int[3])[typeHit != null ? 0 : 2]++;
      } else if (c.provider() != null) {
        providers.computeIfAbsent(c.provider(), k -> new int[4])[3]++;
      }
      for (Finding f : findings) {
        if (f == hit) {
          continue;
        }
        String provider = f.provider() == null ? "(pii)" : f.provider();
        providers.computeIfAbsent(provider, k -> new int[4])[2]++;
        if (hit == null && f == typeHit) {
          continue; // the right type from the wrong provider: wrong only for the provider
        }
        types.computeIfAbsent(f.type().name(), k -> new int[3])[1]++;
      }
    }
    Map<String, ProviderScore> byProvider = new LinkedHashMap<>();
    providers.forEach((k, v) -> byProvider.put(k, new ProviderScore(v[0], v[1], v[2], v[3])));
    Map<String, Score> byType = new LinkedHashMap<>();
    types.forEach((k, v) -> byType.put(k, new Score(v[0], v[1], v[2])));
    return new SecretScores(byProvider, byType);
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

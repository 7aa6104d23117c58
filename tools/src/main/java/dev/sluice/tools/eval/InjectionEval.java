package dev.sluice.tools.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.pipeline.firewall.risk.InjectionScorer;
import dev.sluice.pipeline.firewall.risk.RiskAssessment;
import dev.sluice.pipeline.firewall.risk.Sensitivity;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Measures the injection scorer on the development sets in {@code ../shared/datasets} (or {@code
 * --data DIR}) at a sensitivity level ({@code --level N}, default 5) and prints one line per set.
 *
 * <ul>
 *   <li>{@code bipia-indirect}: each BIPIA attack string inserted at the start, middle and end of
 *       clean contexts (text attacks into emails, code attacks into code answers), scored with the
 *       retrieved-context cues; the clean contexts alone are the negatives.
 *   <li>{@code injecguard-direct}: InjecGuard {@code valid}, scored with the user-prompt cues.
 *   <li>{@code jailbreak-direct}: JailbreakBench's published attack prompts against WildGuard's
 *       benign prompts that look like jailbreaks (role-play, fiction, edgy requests), scored with
 *       the user-prompt cues. Jailbreaks ask for harmful content rather than hijack instructions,
 *       so this measures how far the cues reach beyond injection, and the false-positive rate on
 *       hard negatives.
 * </ul>
 *
 * <p>Attack strings, contexts and prompts are split by position (even index: {@code tune}, odd:
 * {@code held-out}); rules were developed looking at the tune half of BIPIA. It reports, it does
 * not gate: the exit code is 0 whenever the data could be read.
 */
public final class InjectionEval {

  private static final ObjectMapper JSON = new ObjectMapper();

  private InjectionEval() {}

  /** A labelled text; {@code group} says where it came from, for --show-errors. */
  record Sample(String text, boolean attack, String group) {}

  /** Confusion counts. */
  static final class Counts {
    int tp;
    int fp;
    int tn;
    int fn;

    void add(boolean attack, boolean blocked) {
      if (attack && blocked) {
        tp++;
      } else if (attack) {
        fn++;
      } else if (blocked) {
        fp++;
      } else {
        tn++;
      }
    }

    static Counts sum(Counts... parts) {
      Counts total = new Counts();
      for (Counts part : parts) {
        total.tp += part.tp;
        total.fp += part.fp;
        total.tn += part.tn;
        total.fn += part.fn;
      }
      return total;
    }

    String line(String set) {
      double precision = tp + fp == 0 ? 0.0 : (double) tp / (tp + fp);
      double recall = tp + fn == 0 ? 0.0 : (double) tp / (tp + fn);
      double fpr = fp + tn == 0 ? 0.0 : (double) fp / (fp + tn);
      double balanced = (recall + (1.0 - fpr)) / 2.0;
      return String.format(
          Locale.ROOT,
          "injection %s precision=%.3f recall=%.3f fpr=%.3f balanced_accuracy=%.3f (n=%d)",
          set,
          precision,
          recall,
          fpr,
          balanced,
          tp + fp + tn + fn);
    }
  }

  public static void main(String[] args) throws IOException {
    Path data = Path.of("../shared/datasets");
    int level = Sensitivity.DEFAULT_LEVEL;
    boolean showErrors = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--data":
          data = Path.of(args[++i]);
          break;
        case "--level":
          level = Integer.parseInt(args[++i]);
          break;
        case "--show-errors":
          showErrors = true;
          break;
        default:
          System.err.println("usage: InjectionEval [--data DIR] [--level 1..10] [--show-errors]");
          return;
      }
    }
    PrintStream out = System.out;
    InjectionScorer context = InjectionScorer.forRetrievedContext();
    InjectionScorer prompt = InjectionScorer.forUserPrompt();
    out.println(
        "# sensitivity level "
            + level
            + ", blocks at score >= "
            + Sensitivity.blockingScore(level));
    Counts[] bipia = new Counts[2];
    Counts[] direct = new Counts[2];
    Counts[] jailbreak = new Counts[2];
    for (int parity = 0; parity < 2; parity++) {
      bipia[parity] = run(context, bipia(data.resolve("bipia-train"), parity), level, showErrors);
      direct[parity] =
          run(
              prompt,
              labelled(data.resolve("injection-dev.injecguard-valid.json"), parity),
              level,
              showErrors);
      List<Sample> prompts =
          new ArrayList<>(
              labelled(data.resolve("injection-dev.jailbreakbench-attacks.json"), parity));
      prompts.addAll(labelled(data.resolve("injection-dev.wildguard-benign.json"), parity));
      jailbreak[parity] = run(prompt, prompts, level, showErrors);
    }
    out.println(Counts.sum(bipia).line("bipia-indirect"));
    out.println(bipia[0].line("bipia-indirect[tune]"));
    out.println(bipia[1].line("bipia-indirect[held-out]"));
    out.println(Counts.sum(direct).line("injecguard-direct"));
    out.println(direct[0].line("injecguard-direct[tune]"));
    out.println(direct[1].line("injecguard-direct[held-out]"));
    out.println(Counts.sum(jailbreak).line("jailbreak-direct"));
    out.println(jailbreak[0].line("jailbreak-direct[tune]"));
    out.println(jailbreak[1].line("jailbreak-direct[held-out]"));
  }

  static Counts run(InjectionScorer scorer, List<Sample> samples, int level, boolean showErrors) {
    Counts counts = new Counts();
    for (Sample sample : samples) {
      RiskAssessment assessment = scorer.assess(sample.text());
      boolean blocked = Sensitivity.blocks(assessment, level);
      counts.add(sample.attack(), blocked);
      if (showErrors && blocked != sample.attack()) {
        System.err.printf(
            Locale.ROOT,
            "%s %s score=%.2f cues=%s%n  %s%n",
            sample.attack() ? "MISS" : "FALSE-POSITIVE",
            sample.group(),
            assessment.score(),
            assessment.cues(),
            abbreviate(sample.text()));
      }
    }
    return counts;
  }

  private static String abbreviate(String s) {
    String flat = s.replace('\n', ' ');
    return flat.length() <= 400 ? flat : flat.substring(0, 400) + "...";
  }

  /** BIPIA chunks of one half: every attack of the half at three positions in every context. */
  static List<Sample> bipia(Path dir, int parity) throws IOException {
    List<Sample> samples = new ArrayList<>();
    List<String> emails = half(textContexts(dir.resolve("email-train.jsonl")), parity);
    List<String> code = half(codeContexts(dir.resolve("code-train.jsonl")), parity);
    addChunks(
        samples, half(attacks(dir.resolve("text_attack_train.json")), parity), emails, "text");
    addChunks(samples, half(attacks(dir.resolve("code_attack_train.json")), parity), code, "code");
    for (String context : emails) {
      samples.add(new Sample(context, false, "email-context"));
    }
    for (String context : code) {
      samples.add(new Sample(context, false, "code-context"));
    }
    return samples;
  }

  private static void addChunks(
      List<Sample> samples, List<String[]> attacks, List<String> contexts, String kind) {
    for (String[] attack : attacks) {
      for (String context : contexts) {
        samples.add(new Sample(attack[1] + "\n" + context, true, kind + "/start/" + attack[0]));
        samples.add(
            new Sample(insertMiddle(context, attack[1]), true, kind + "/middle/" + attack[0]));
        samples.add(new Sample(context + "\n" + attack[1], true, kind + "/end/" + attack[0]));
      }
    }
  }

  /** Inserts at the sentence or line boundary nearest the middle, as BIPIA does. */
  static String insertMiddle(String context, String attack) {
    int middle = context.length() / 2;
    int best = -1;
    for (int i = 0; i < context.length(); i++) {
      char c = context.charAt(i);
      boolean boundary =
          c == '\n'
              || ((c == '.' || c == '!' || c == '?')
                  && i + 1 < context.length()
                  && context.charAt(i + 1) == ' ');
      if (boundary && (best < 0 || Math.abs(i - middle) < Math.abs(best - middle))) {
        best = i;
      }
    }
    if (best < 0) {
      return context + "\n" + attack;
    }
    boolean line = context.charAt(best) == '\n';
    String sep = line ? "\n" : " ";
    return context.substring(0, best + 1) + sep + attack + sep + context.substring(best + 1);
  }

  private static <T> List<T> half(List<T> all, int parity) {
    List<T> out = new ArrayList<>();
    for (int i = parity; i < all.size(); i += 2) {
      out.add(all.get(i));
    }
    return out;
  }

  /** Attack strings in file order, each as {category, text}. */
  private static List<String[]> attacks(Path file) throws IOException {
    JsonNode root = JSON.readTree(file.toFile());
    List<String[]> out = new ArrayList<>();
    for (Map.Entry<String, JsonNode> field : root.properties()) {
      for (JsonNode text : field.getValue()) {
        out.add(new String[] {field.getKey(), text.asText()});
      }
    }
    return out;
  }

  private static List<String> textContexts(Path file) throws IOException {
    List<String> out = new ArrayList<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      if (!line.isBlank()) {
        out.add(JSON.readTree(line).path("context").asText());
      }
    }
    return out;
  }

  private static List<String> codeContexts(Path file) throws IOException {
    List<String> out = new ArrayList<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      if (line.isBlank()) {
        continue;
      }
      JsonNode context = JSON.readTree(line).path("context");
      List<String> lines = new ArrayList<>();
      for (JsonNode l : context) {
        lines.add(l.asText());
      }
      out.add(context.isArray() ? String.join("\n", lines) : context.asText());
    }
    return out;
  }

  /** A JSON array of {@code {prompt, label, source or method}}: label 1 is an attack. */
  private static List<Sample> labelled(Path file, int parity) throws IOException {
    List<Sample> all = new ArrayList<>();
    for (JsonNode item : JSON.readTree(file.toFile())) {
      String group =
          item.has("method") ? item.path("method").asText() : item.path("source").asText();
      all.add(new Sample(item.path("prompt").asText(), item.path("label").asInt() == 1, group));
    }
    return half(all, parity);
  }
}

package dev.sluice.tools.eval;

import dev.sluice.pipeline.redaction.internals.Checksums;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The project's secrets corpus ({@code pipeline/src/test/resources/redaction/secrets-corpus.txt}):
 * fake credentials written from the providers' documented formats and near misses, one per line.
 * The file's header describes the format; {@code SecretsCorpusTest} runs every line of it.
 */
final class SecretsCorpus {
  static final String DEFAULT_PATH = "pipeline/src/test/resources/redaction/secrets-corpus.txt";

  private SecretsCorpus() {}

  /**
   * One line. A positive has its type, provider and the span to redact; a negative may name the
   * provider whose format it nearly has. {@code toString} shows no text.
   */
  record Case(
      int line, boolean positive, String type, String provider, String text, int start, int end) {
    @Override
    public String toString() {
      return "line " + line + (positive ? " " + type + " " + provider : " negative " + provider);
    }
  }

  static List<Case> read(Path file) throws IOException {
    List<Case> cases = new ArrayList<>();
    String[] lines = Files.readString(file, StandardCharsets.UTF_8).split("\n");
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      int bar = line.indexOf(" | ");
      if (line.isBlank() || line.startsWith("#") || bar < 0) {
        continue;
      }
      String[] head = line.substring(0, bar).trim().split(" +");
      String text = withChecksums(line.substring(bar + 3).replace("\\n", "\n"));
      if (head[0].equals("+") && head.length == 3) {
        int start = text.indexOf("[[");
        int end = text.indexOf("]]") - 2;
        text = text.replace("[[", "").replace("]]", "");
        cases.add(new Case(i + 1, true, head[1], head[2], text, start, end));
      } else if (head[0].equals("-")) {
        cases.add(new Case(i + 1, false, null, head.length > 1 ? head[1] : null, text, -1, -1));
      }
    }
    return cases;
  }

  /** Fills each {crc} with the base62 CRC32 of the 30 characters before it (GitHub, npm). */
  static String withChecksums(String text) {
    StringBuilder sb = new StringBuilder(text);
    for (int at = sb.indexOf("{crc}"); at >= 30; at = sb.indexOf("{crc}")) {
      sb.replace(at, at + 5, Checksums.crc32Base62(sb, at - 30, at));
    }
    return sb.toString();
  }
}

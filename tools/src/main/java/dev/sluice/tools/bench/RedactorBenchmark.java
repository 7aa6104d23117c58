package dev.sluice.tools.bench;

import dev.sluice.pipeline.redaction.Redaction;
import dev.sluice.pipeline.redaction.Redactor;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Redaction throughput on a typical LLM answer (prose, a code block, a few PII values and secrets)
 * with the full rule set, on one thread. JMH reports operations per second; the setup prints the
 * size so that MB/s = ops/s x size. Run with {@code java -jar tools/target/benchmarks.jar
 * RedactorBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RedactorBenchmark {
  private static final String PROSE =
      "Sure! Here is a summary of the deployment steps we discussed. First, make sure the"
          + " service account has read access to the bucket, then run the migration with the"
          + " usual flags. The build takes about 12 minutes on a warm cache; if it fails, check"
          + " the logs around step 3 and retry once before escalating. Keep the change small:"
          + " one module at a time, with tests, and a short note in the changelog (version"
          + " 2.4.1, released 2024-03-18). Costs went from $1,250 to $980 per month, about 21%"
          + " less, which matches the estimate in section 4.2 of the design document.\n\n";

  private static final String CODE =
      "```python\nimport os\n\ndef client():\n    token = os.environ.get(\"API_TOKEN\")\n"
          + "    retries = 3\n    return Client(token=token, timeout=30.0, retries=retries)\n```\n\n";

  private static final String SENSITIVE =
      "If you need help, write to jane.doe@example.org or call +1 415-555-0132. The test card"
          + " 4111 1111 1111 1111 and the IBAN GB82 WEST 1234 5698 7654 32 are placeholders."
          + " The config you pasted contained OPENAI_API_KEY=sk-proj-"
          + "Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z and AWS key AKIAQ3EXAMPLE7ABCDEF; rotate them.\n\n";

  @Param({"4096", "65536"})
  public int size;

  private Redactor redactor;
  private String answer;

  @Setup(Level.Trial)
  public void setUp() {
    redactor = Redactor.create();
    answer = answer(size);
    System.out.printf(
        "%n# answer: %d chars, %d UTF-8 bytes, %d redactions%n",
        answer.length(),
        answer.getBytes(StandardCharsets.UTF_8).length,
        redactor.redact(answer).report().total());
  }

  /** About {@code size} characters: prose and code, with one sensitive paragraph per 4 KB. */
  static String answer(int size) {
    StringBuilder sb = new StringBuilder(size + 1024);
    int block = 0;
    while (sb.length() < size) {
      sb.append(PROSE).append(PROSE);
      if (block % 2 == 0) {
        sb.append(CODE);
      }
      sb.append(PROSE);
      if (block % 4 == 1) {
        sb.append(SENSITIVE);
      }
      block++;
    }
    sb.setLength(size);
    return sb.toString();
  }

  /** Counts characters processed, reported by JMH as a rate next to ops/s. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class Throughput {
    public long chars;
  }

  @Benchmark
  public Redaction redact(Throughput throughput) {
    throughput.chars += answer.length();
    return redactor.redact(answer);
  }
}

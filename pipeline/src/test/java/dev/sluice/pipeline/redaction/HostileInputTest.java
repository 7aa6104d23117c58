package dev.sluice.pipeline.redaction;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Random;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * 1 MB inputs built to hurt backtracking regexes or quadratic scans, among them never-ending
 * provider prefixes. The bound is generous on purpose: only catastrophic behaviour could break it;
 * real timing belongs in the benchmark.
 */
class HostileInputTest {
  private static final int MB = 1 << 20;
  private static final Redactor REDACTOR = Redactor.create();

  static String repeat(String unit) {
    return unit.repeat(MB / unit.length() + 1).substring(0, MB);
  }

  static String base64(int seed) {
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    Random random = new Random(seed);
    StringBuilder sb = new StringBuilder(MB);
    for (int i = 0; i < MB; i++) {
      sb.append(alphabet.charAt(random.nextInt(64)));
    }
    return sb.toString();
  }

  static Stream<Arguments> inputs() {
    return Stream.of(
        Arguments.of("a", (Supplier<String>) () -> repeat("a")),
        Arguments.of("@", (Supplier<String>) () -> repeat("@")),
        Arguments.of("digits with spaces", (Supplier<String>) () -> repeat("1 ")),
        Arguments.of("digits", (Supplier<String>) () -> repeat("4")),
        Arguments.of("a.a.a.", (Supplier<String>) () -> repeat("a.")),
        Arguments.of("a@a.", (Supplier<String>) () -> repeat("a@a.")),
        Arguments.of("-----BEGIN", (Supplier<String>) () -> repeat("-----BEGIN ")),
        Arguments.of(
            "-----BEGIN PRIVATE KEY-----",
            (Supplier<String>) () -> repeat("-----BEGIN PRIVATE KEY-----")),
        Arguments.of("long base64", (Supplier<String>) () -> base64(7)),
        Arguments.of("data uri", (Supplier<String>) () -> "data:image/png;base64," + base64(8)),
        Arguments.of("colons", (Supplier<String>) () -> repeat("1:")),
        Arguments.of("hex colons", (Supplier<String>) () -> repeat("ab:")),
        Arguments.of("assignments", (Supplier<String>) () -> repeat("password=")),
        Arguments.of("quotes", (Supplier<String>) () -> repeat("token: \"")),
        Arguments.of("url", (Supplier<String>) () -> repeat("a://a:a@")),
        Arguments.of("sk-", (Supplier<String>) () -> "sk-" + repeat("A1")),
        Arguments.of("jwt dots", (Supplier<String>) () -> repeat("eyJ.")),
        Arguments.of("bearer", (Supplier<String>) () -> repeat("Bearer ")),
        Arguments.of("phone-ish", (Supplier<String>) () -> repeat("(1) 2-3.4 ")),
        Arguments.of("iban-ish", (Supplier<String>) () -> repeat("GB82 ")),
        // provider prefixes that never end, glued and spaced
        Arguments.of("sk-sk-", (Supplier<String>) () -> repeat("sk-")),
        Arguments.of("ghp_ghp_", (Supplier<String>) () -> repeat("ghp_")),
        Arguments.of("xoxb-xoxb-", (Supplier<String>) () -> repeat("xoxb-")),
        Arguments.of("spaced prefixes", (Supplier<String>) () -> repeat("sk- ghp_ xoxb- AKIA ")),
        Arguments.of("embedded markers", (Supplier<String>) () -> repeat(".atlasv1.0Q~-us1:A")),
        Arguments.of("keyword names", (Supplier<String>) () -> repeat("datadog_api_key=")),
        // each value is read as a credential (classes, templates, entropy): within the value only
        Arguments.of(
            "random-looking assignments", (Supplier<String>) () -> repeat("secret=aB3dE9xYz1 ")),
        // for the shadow copy and its decoders
        Arguments.of("%25 run", (Supplier<String>) () -> repeat("%25")),
        Arguments.of("%2525 run", (Supplier<String>) () -> repeat("%2525")),
        Arguments.of("nested base64", (Supplier<String>) HostileInputTest::nestedBase64),
        Arguments.of("\\u escapes", (Supplier<String>) () -> repeat("\\u0041")),
        Arguments.of("escaped emails", (Supplier<String>) () -> repeat("a\\u0040b.co ")),
        Arguments.of("hex", (Supplier<String>) () -> repeat("41")),
        Arguments.of("wrapped base64", (Supplier<String>) HostileInputTest::wrappedBase64),
        // each wrapped run fails on its last line and is read again line by line, once
        Arguments.of(
            "wrapped base64 broken by a word",
            (Supplier<String>) () -> repeat(("QUJD".repeat(19) + "\n").repeat(800) + "Done\n")),
        Arguments.of("lone surrogate escapes", (Supplier<String>) () -> repeat("\\ud800 ")),
        Arguments.of("zwsp", (Supplier<String>) () -> repeat("\u200B")),
        Arguments.of("zwsp between digits", (Supplier<String>) () -> repeat("1\u200B")),
        Arguments.of("full-width digits", (Supplier<String>) () -> repeat("\uFF14\uFF11 ")),
        Arguments.of("tag characters", (Supplier<String>) () -> repeat("\uDB40\uDC41")),
        Arguments.of("selectors", (Supplier<String>) () -> repeat("\uDB40\uDD30")));
  }

  /** base64 of base64 of base64 of text with emails, about 1 MB. */
  static String nestedBase64() {
    java.util.Base64.Encoder encoder = java.util.Base64.getEncoder();
    String text = "mail a@b.co now ".repeat(MB * 3 / 8 / 16);
    for (int depth = 0; depth < 3; depth++) {
      text = encoder.encodeToString(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    return text;
  }

  /** Text with emails in MIME base64 (76-character lines), about 1 MB. */
  static String wrappedBase64() {
    String text = "mail a@b.co now ".repeat(MB * 3 / 4 / 16);
    return java.util.Base64.getMimeEncoder()
        .encodeToString(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("inputs")
  @Timeout(10)
  void completesWithinTheBound(String name, Supplier<String> input) {
    String text = input.get();
    long start = System.nanoTime();
    Redaction r = REDACTOR.redact(text);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    assertThat(r.text()).isNotNull();
  }
}

package dev.sluice.pipeline.redaction;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Property: zero-width characters inserted anywhere inside a value never stop its redaction, and
 * none of the value's characters is left in the output: the output is exactly what the clean text
 * gives.
 */
class ZeroWidthInsertionTest {
  private static final Redactor ALL = Redactor.create();
  private static final long SEED = 20261202L;
  private static final int CASES = 6000;
  private static final char[] INVISIBLE = {
    '\u200B', '\u200C', '\u200D', '\u2060', '\uFEFF', '\u00AD'
  };

  /** A value of {@code type} between {@code before} and {@code after}. */
  record Sample(RedactionType type, String before, String value, String after) {
    String text(String value) {
      return before + value + after;
    }

    String redacted() {
      return before + type.placeholder() + after;
    }
  }

  // Every value is fake, written from the documented formats (most contain FAKE).
  static final List<Sample> SAMPLES =
      List.of(
          new Sample(RedactionType.EMAIL, "write to ", "jane.doe@example.org", " today"),
          new Sample(RedactionType.PHONE, "call ", "+1 415-555-0132", " now"),
          new Sample(RedactionType.CREDIT_CARD, "card ", "4111 1111 1111 1111", ", exp 12/29"),
          new Sample(RedactionType.IBAN, "IBAN ", "GB82 WEST 1234 5698 7654 32", " please"),
          new Sample(RedactionType.US_SSN, "SSN ", "123-45-6789", "."),
          new Sample(RedactionType.IPV4, "from ", "192.168.10.254", ":8080"),
          new Sample(RedactionType.IPV6, "host ", "2001:db8:85a3::8a2e:370:7334", " up"),
          new Sample(
              RedactionType.OPENAI_KEY, "key ", "sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z", " ok"),
          new Sample(
              RedactionType.ANTHROPIC_KEY,
              "x-api-key: ",
              "sk-ant-api03-tzjFAKEtpcOC0XKqYIn6iG-LjEQdZJQrK6syF8u96LPX0y9sYlJ3Imq",
              " ok"),
          new Sample(RedactionType.AWS_ACCESS_KEY_ID, "id ", "AKIAKAAA4ZN2FC3FAKEF", " ok"),
          new Sample(
              RedactionType.AWS_SECRET_KEY,
              "aws_secret_access_key = ",
              "Fhj6+SlE9gt9RLbf59FAKEPhKNITdsuhMOjrP39R",
              "\n"),
          new Sample(
              RedactionType.GITHUB_TOKEN,
              "token ",
              // GitHub's CRC32 suffix is computed, so no valid token is written here
              ValueSamples.github("hbpac2E0HMZcFwfnUxqBOjrPPWg1jF"),
              " expires"),
          new Sample(
              RedactionType.GITLAB_TOKEN, "PRIVATE-TOKEN: ", "glpat-2hkUFAKEGvk9JwthfmU8", "\n"),
          new Sample(
              RedactionType.SLACK_TOKEN,
              "SLACK_BOT_TOKEN=",
              "xoxb-516900388698-6940626898914-qFAKEIkj2rFAVinIyDi06LC8",
              "\n"),
          new Sample(
              RedactionType.SLACK_WEBHOOK,
              "POST to ",
              "https://hooks.slack.com/services/TLQ25FAKEE2/BKJDFAKEGO6/1uWNh37FES35unqwlFAKEisN",
              " with a body"),
          new Sample(
              RedactionType.STRIPE_KEY, "restricted ", "rk_live_mg6u2DzT5BKBcb47FAKEoAfG", " ok"),
          new Sample(
              RedactionType.GOOGLE_API_KEY,
              "GOOGLE_API_KEY: ",
              "AIza2B30nuGRb9RrwDEmFAKEr19ydXS-Lh0igK_",
              "\n"),
          new Sample(
              RedactionType.JWT,
              "cookie ",
              "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyLTQ4MjEiLCJuYW1lIjoiVGVzdCBQZXJz"
                  + "b24iLCJpYXQiOjE3MDAwMDAwMDB9.Bo5fEyX9Pm5GnFDkWKej3pevvipCp4y7P4Td14Z4GZm",
              " until logout"),
          new Sample(
              RedactionType.BEARER_TOKEN,
              "Authorization: Bearer ",
              "FAKERbJp0honabtRIG.y7LeZ1qAo8LTn",
              "\n"),
          new Sample(
              RedactionType.BASIC_AUTH,
              "Authorization: Basic ",
              "YWRtaW46RmFrZVBhc3N3MHJkIQ==",
              "\n"),
          new Sample(
              RedactionType.PRIVATE_KEY,
              "key:\n",
              "-----BEGIN EC PRIVATE KEY-----\n"
                  + "MHcCAQEEIFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEoAoGCCqGSM49\n"
                  + "AwEHoUQDQgAEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKE==\n"
                  + "-----END EC PRIVATE KEY-----",
              "\ndone"),
          new Sample(
              RedactionType.URL_CREDENTIALS,
              "postgres://",
              "app:Fake-Pa55w0rd",
              "@db.internal:5432/orders"),
          new Sample(
              RedactionType.API_KEY,
              "GROQ_API_KEY=",
              "gsk_2yiFIXWy6Qfl8K3UqZmFAKE6bMv2pe24k7HOaNn5fHoMfuTDkC3i",
              "\n"),
          new Sample(RedactionType.SECRET_ASSIGNMENT, "DB_PASSWORD=", "Xk9#mQ2$vL7pR4", "\n"));

  @Test
  void everyTypeHasASample() {
    Set<RedactionType> covered =
        SAMPLES.stream()
            .map(Sample::type)
            .collect(Collectors.toCollection(() -> EnumSet.noneOf(RedactionType.class)));
    assertThat(covered).isEqualTo(RedactionType.all());
  }

  @Test
  void eachCleanSampleIsRedactedToItsPlaceholder() {
    for (Sample sample : SAMPLES) {
      assertThat(ALL.redact(sample.text(sample.value())).text())
          .as(sample.type().name())
          .isEqualTo(sample.redacted());
    }
  }

  @Test
  void zeroWidthCharactersInsideAValueNeverStopItsRedaction() {
    Random random = new Random(SEED);
    for (int round = 0; round < CASES; round++) {
      Sample sample = SAMPLES.get(random.nextInt(SAMPLES.size()));
      String hidden = insertInvisible(sample.value(), random);
      String text = sample.text(hidden);

      Redaction r = ALL.redact(text);

      String where =
          "seed " + SEED + " round " + round + " " + sample.type() + ": " + visible(text);
      assertThat(r.text()).as(where).isEqualTo(sample.redacted());
      assertThat(r.report().count(sample.type())).as(where).isEqualTo(1);
    }
  }

  /** 1 to 4 invisible characters (sometimes a run of two) strictly inside the value. */
  private static String insertInvisible(String value, Random random) {
    StringBuilder out = new StringBuilder(value);
    int insertions = 1 + random.nextInt(4);
    for (int k = 0; k < insertions; k++) {
      int at = 1 + random.nextInt(out.length() - 1);
      String run = String.valueOf(INVISIBLE[random.nextInt(INVISIBLE.length)]);
      if (random.nextInt(4) == 0) {
        run += INVISIBLE[random.nextInt(INVISIBLE.length)];
      }
      out.insert(at, run);
    }
    return out.toString();
  }

  /** The text with its invisible characters shown as escapes, for the failure message. */
  private static String visible(String text) {
    StringBuilder out = new StringBuilder();
    for (char c : text.toCharArray()) {
      if (c < 0x20 || c > 0x7E) {
        out.append(String.format("\\u%04X", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}

package dev.sluice.pipeline.redaction;

import static dev.sluice.pipeline.HiddenPayloads.base64;
import static dev.sluice.pipeline.HiddenPayloads.hex;
import static dev.sluice.pipeline.HiddenPayloads.percent;
import static dev.sluice.pipeline.HiddenPayloads.selectors;
import static dev.sluice.pipeline.HiddenPayloads.tags;
import static dev.sluice.pipeline.HiddenPayloads.unicodeEscapes;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.pipeline.shadow.MappedText;
import dev.sluice.pipeline.shadow.ShadowText;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Values written so that a plain scan misses them: the shadow copy finds them all. */
class ShadowRedactionTest {
  private static final Redactor ALL = Redactor.create();

  static final String AWS_KEY = "AKIAIOSFODNN7EXAMPLE";
  static final String OPENAI_KEY = "sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z";
  static final String EMAIL = "alice@example.com";
  static final String CARD = "4111 1111 1111 1111";
  static final String JWT_HEADER = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9";
  static final String JWT_PAYLOAD =
      "eyJzdWIiOiJ1c2VyLTQ4MjEiLCJuYW1lIjoiVGVzdCBQZXJzb24iLCJpYXQiOjE3MDAwMDAwMDB9";
  static final String JWT_SIGNATURE = "Bo5fEyX9Pm5GnFDkWKej3pevvipCp4y7P4Td14Z4GZm";

  /**
   * {@code written} (how the value appears in the text) is redacted as one {@code type}: the output
   * holds the placeholder, not the written form, and nothing in the output, folded or decoded,
   * spells the value any more.
   */
  private static void assertRedacted(
      String text, String written, String value, RedactionType type) {
    Redaction r = ALL.redact(text);
    assertThat(r.report().count(type)).as("count of %s", type).isEqualTo(1);
    assertThat(r.report().total()).isEqualTo(1);
    assertThat(r.text()).contains(type.placeholder()).doesNotContain(written);
    assertThat(everyReading(r.text())).noneMatch(reading -> reading.contains(value));
  }

  /** The output and every text its shadow shows. */
  private static List<String> everyReading(String output) {
    List<String> readings = new java.util.ArrayList<>();
    readings.add(output);
    ShadowText shadow = ShadowText.of(output);
    for (MappedText view : shadow.views()) {
      readings.add(view.text());
    }
    for (MappedText view : shadow.separated()) {
      readings.add(view.text());
    }
    return readings;
  }

  /** {@code digits} written in the Unicode digits that start at {@code zero}. */
  static String digits(String ascii, int zero) {
    StringBuilder out = new StringBuilder();
    ascii.chars().forEach(c -> out.appendCodePoint(c >= '0' && c <= '9' ? zero + c - '0' : c));
    return out.toString();
  }

  @Nested
  class InvisibleCharacters {
    @Test
    void aZeroWidthSpaceInsideAnAwsKey() {
      String written = "AKIA\u200BIOSFODNN7EXAMPLE";
      assertRedacted("key " + written + " here", written, AWS_KEY, RedactionType.AWS_ACCESS_KEY_ID);
    }

    @Test
    void aZeroWidthSpaceInsideAnEmail() {
      String written = "alice\u200B@example.com";
      assertRedacted("mail " + written + " now", written, EMAIL, RedactionType.EMAIL);
    }

    @Test
    void aJwtWhoseDotsAreZeroWidthSpaces() {
      String written = JWT_HEADER + "\u200B" + JWT_PAYLOAD + "\u200B" + JWT_SIGNATURE;
      assertRedacted("cookie " + written + " until", written, JWT_PAYLOAD, RedactionType.JWT);
    }

    @Test
    void aZeroWidthSpaceAsACardSeparator() {
      String written = "4111\u200B1111 1111 1111";
      assertRedacted("card " + written + " ok", written, "4111", RedactionType.CREDIT_CARD);
    }

    @Test
    void softHyphensInsideValues() {
      String email = "ali\u00ADce@exam\u00ADple.com";
      assertRedacted("mail " + email + " now", email, EMAIL, RedactionType.EMAIL);
      String key = "sk-proj-Ab3dEf6h\u00ADIj9kLm2nOp5qRs8t\u00ADUv1wXy4z";
      assertRedacted("key " + key + " now", key, OPENAI_KEY, RedactionType.OPENAI_KEY);
      String phone = "+1 415-5\u00AD55-0132";
      assertRedacted("call " + phone + " now", phone, "555-0132", RedactionType.PHONE);
    }

    @Test
    void findReportsTheSpanInTheOriginal() {
      String text = "x alice\u200B@example.com y";
      assertThat(ALL.find(text))
          .containsExactly(new Finding(RedactionType.EMAIL, 2, text.length() - 2));
    }
  }

  @Nested
  class UnicodeDigitsAndSeparators {
    @Test
    void fullWidthDigits() {
      String card = digits(CARD, 0xFF10);
      assertRedacted("card " + card + " ok", card, "4111", RedactionType.CREDIT_CARD);
      String phone = digits("+1 415-555-0132", 0xFF10);
      assertRedacted("call " + phone + " ok", phone, "0132", RedactionType.PHONE);
    }

    @Test
    void arabicIndicDigits() {
      String card = digits(CARD, 0x0660);
      assertRedacted("card " + card + " ok", card, "4111", RedactionType.CREDIT_CARD);
    }

    @Test
    void devanagariDigits() {
      String ssn = digits("123-45-6789", 0x0966);
      assertRedacted("SSN " + ssn + ".", ssn, "6789", RedactionType.US_SSN);
    }

    @Test
    void noBreakAndThinSpaceSeparators() {
      String card = "4111\u00A01111\u202F1111\u20091111";
      assertRedacted("card " + card + " ok", card, "4111", RedactionType.CREDIT_CARD);
      String iban = "GB82\u00A0WEST\u00A01234\u00A05698\u00A07654\u00A032";
      assertRedacted("IBAN " + iban + " ok", iban, "GB82", RedactionType.IBAN);
    }

    @Test
    void enDashAndMinusSeparators() {
      String card = "5500\u20130000\u20130000\u20130004";
      assertRedacted("card " + card + " ok", card, "5500", RedactionType.CREDIT_CARD);
      String phone = "415\u2212555\u22120132";
      assertRedacted("call " + phone + " ok", phone, "0132", RedactionType.PHONE);
    }
  }

  @Nested
  class Encodings {
    @Test
    void unicodeEscapedValues() {
      String key = unicodeEscapes(OPENAI_KEY);
      assertRedacted("{\"key\": \"" + key + "\"}", key, OPENAI_KEY, RedactionType.OPENAI_KEY);
      String mixed = "alice\\u0040example.com";
      assertRedacted("mail " + mixed + " now", mixed, EMAIL, RedactionType.EMAIL);
    }

    @Test
    void percentEncodedOnce() {
      String key = percent(AWS_KEY);
      assertRedacted("id=" + key + "&x=1", key, AWS_KEY, RedactionType.AWS_ACCESS_KEY_ID);
    }

    @Test
    void percentEncodedTwice() {
      String key = percent(percent(AWS_KEY));
      assertRedacted("id=" + key + "&x=1", key, AWS_KEY, RedactionType.AWS_ACCESS_KEY_ID);
    }

    @Test
    void aPercentEncodedAtInAQueryStringKeepsTheRestOfTheUrl() {
      String url = "https://x.test/invite?to=alice%40example.com&lang=en";
      assertThat(ALL.redact(url).text())
          .isEqualTo("https://x.test/invite?to=[REDACTED:EMAIL]&lang=en");
    }

    @Test
    void base64Values() {
      String email = base64(EMAIL);
      assertRedacted("id " + email + " end", email, EMAIL, RedactionType.EMAIL);
      String key = base64("aws " + AWS_KEY);
      assertRedacted("blob " + key + " end", key, AWS_KEY, RedactionType.AWS_ACCESS_KEY_ID);
    }

    @Test
    void base64UrlSafeUnpadded() {
      String payload = "token??" + OPENAI_KEY + ">>";
      String key = Base64.getUrlEncoder().withoutPadding().encodeToString(payload.getBytes());
      assertRedacted("v=" + key, key, OPENAI_KEY, RedactionType.OPENAI_KEY);
    }

    @Test
    void aMatchInsideBase64ReplacesOnlyTheGroupsThatHoldIt() {
      String plain = "name: Jane Roe, mail: jane.roe@example.org, team: ops";
      String encoded = base64(plain);

      String out = ALL.redact("blob " + encoded).text();

      // the email is bytes 22-41: groups 7 to 13, characters 28 to 56
      assertThat(out)
          .isEqualTo(
              "blob "
                  + encoded.substring(0, 28)
                  + RedactionType.EMAIL.placeholder()
                  + encoded.substring(56));
      assertThat(everyReading(out)).noneMatch(reading -> reading.contains("roe@example"));
    }

    @Test
    void nestedBase64() {
      String key = base64(base64(base64(AWS_KEY)));
      assertRedacted("x " + key + " y", key, AWS_KEY, RedactionType.AWS_ACCESS_KEY_ID);
    }

    @Test
    void hexValues() {
      String key = hex(AWS_KEY);
      assertRedacted("0x" + key + " ok", key, AWS_KEY, RedactionType.AWS_ACCESS_KEY_ID);
    }

    @Test
    void aKeyAcrossTheLinesOfMimeBase64() {
      String plain = "Here are the staging credentials, keep them: aws " + AWS_KEY + " and more";
      String mime = Base64.getMimeEncoder().encodeToString(plain.getBytes());
      int lineBreak = mime.indexOf("\r\n");
      assertThat(mime.substring(0, lineBreak))
          .as("the key starts on the first line")
          .endsWith("FLSUFJT1NG");

      String out = ALL.redact("Content-Transfer-Encoding: base64\r\n\r\n" + mime + "\r\n").text();

      // the key is bytes 49-68: groups 16 to 22, the last 3 of the first line and 4 of the next
      assertThat(out)
          .isEqualTo(
              "Content-Transfer-Encoding: base64\r\n\r\n"
                  + mime.substring(0, 64)
                  + RedactionType.AWS_ACCESS_KEY_ID.placeholder()
                  + mime.substring(lineBreak + 2 + 16)
                  + "\r\n");
      assertThat(everyReading(out)).noneMatch(reading -> reading.contains(AWS_KEY));
    }

    @Test
    void aSecretAssignmentInsideBase64() {
      String env = base64("DB_PASSWORD=Xk9#mQ2$vL7pR4\n");
      assertRedacted("env " + env, env, "Xk9#mQ2$vL7pR4", RedactionType.SECRET_ASSIGNMENT);
    }
  }

  @Nested
  class Carriers {
    @Test
    void aKeyHiddenInTagCharacters() {
      String hidden = tags(AWS_KEY);
      assertRedacted(
          "Summary." + hidden + " Done.", hidden, AWS_KEY, RedactionType.AWS_ACCESS_KEY_ID);
    }

    @Test
    void onlyTheTagCharactersOfTheValueAreReplaced() {
      String text = "a" + tags("key " + AWS_KEY + " end") + "b";

      String out = ALL.redact(text).text();

      assertThat(out)
          .isEqualTo("a" + tags("key ") + "[REDACTED:AWS_ACCESS_KEY_ID]" + tags(" end") + "b");
    }

    @Test
    void anEmailHiddenInAVariationSelectorRun() {
      String hidden = selectors("mail " + EMAIL);
      assertRedacted("nice \uD83D\uDE00" + hidden + " day", hidden, EMAIL, RedactionType.EMAIL);
    }
  }

  @Nested
  class OrdinaryText {
    @ParameterizedTest
    @ValueSource(
        strings = {
          "Le café coûte 3,50 € ; l’addition, s’il vous plaît !",
          "Prix\u00A0: 12\u00A0€ — «\u00A0très\u00A0bien\u00A0», réf.\u00A02024–2025",
          "Die Straße heißt Müllerstraße, Größe 42, Seite 10–12.",
          "我们明天在北京见面，请带上文件。电话会议在下午三点。",
          "Great work \u2764\uFE0F see you \uD83D\uDC4D\uD83C\uDFFD!",
          "Go \uD83C\uDFF4\uDB40\uDC67\uDB40\uDC62\uDB40\uDC65\uDB40\uDC6E\uDB40\uDC67\uDB40\uDC7F!",
          "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk",
          "sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 ok",
          "request id 550e8400-e29b-41d4-a716-446655440000 and blob Zm9vYmFy"
        })
    void staysAsItIs(String text) {
      Redaction r = ALL.redact(text);
      assertThat(r.text()).isSameAs(text);
      assertThat(ShadowText.of(text).decoded()).isEmpty();
    }

    @Test
    void aValueWrittenPlainAndHiddenIsCountedTwice() {
      Redaction r = ALL.redact("a@example.com and b\u200B@example.com");
      assertThat(r.text()).isEqualTo("[REDACTED:EMAIL] and [REDACTED:EMAIL]");
      assertThat(r.report().count(RedactionType.EMAIL)).isEqualTo(2);
    }
  }
}

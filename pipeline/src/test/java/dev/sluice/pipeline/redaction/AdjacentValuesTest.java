package dev.sluice.pipeline.redaction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.config.ConfigException;
import dev.sluice.config.Env;
import dev.sluice.policy.PolicyBundle;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Values next to each other are each redacted: none fails open because of its neighbour. */
class AdjacentValuesTest {
  private static final Redactor ALL = Redactor.create();

  private static String redact(String text) {
    return ALL.redact(text).text();
  }

  private static List<RedactionType> types(String text) {
    return ALL.find(text).stream().map(Finding::type).toList();
  }

  @Test
  void twoPhonesAndACardSeparatedBySpaces() {
    assertThat(redact("call +44 20 7946 0958 (415) 555-0132 4539 1488 0343 6467 now"))
        .isEqualTo("call [REDACTED:PHONE] [REDACTED:PHONE] [REDACTED:CREDIT_CARD] now");
  }

  @Nested
  class Numbers {
    @ParameterizedTest
    @ValueSource(strings = {" ", "\t", "\n", ",", ", ", "|", " | ", ";"})
    void cardsPhonesSsnsAndAddressesInAList(String sep) {
      String text =
          String.join(
              sep,
              "4111 1111 1111 1111",
              "+1 415-555-0132",
              "5500-0000-0000-0004",
              "123-45-6789",
              "(212) 555-0199",
              "10.1.2.3",
              "6759649826438453");
      assertThat(types(text))
          .containsExactly(
              RedactionType.CREDIT_CARD,
              RedactionType.PHONE,
              RedactionType.CREDIT_CARD,
              RedactionType.US_SSN,
              RedactionType.PHONE,
              RedactionType.IPV4,
              RedactionType.CREDIT_CARD);
    }

    @Test
    void aCsvRowAndAMarkdownTable() {
      assertThat(redact("Jane,4155550132,4111111111111111,123-45-6789"))
          .isEqualTo("Jane,[REDACTED:PHONE],[REDACTED:CREDIT_CARD],[REDACTED:US_SSN]");
      assertThat(redact("| card | 4111 1111 1111 1111 |\n| phone | +33 6 12 34 56 78 |"))
          .isEqualTo("| card | [REDACTED:CREDIT_CARD] |\n| phone | [REDACTED:PHONE] |");
      assertThat(redact("|10.0.0.1|10.0.0.2|")).isEqualTo("|[REDACTED:IPV4]|[REDACTED:IPV4]|");
    }

    @Test
    void jsonStringsAndUrlQueries() {
      assertThat(redact("{\"card\":\"4111-1111-1111-1111\",\"tel\":\"+14155550132\"}"))
          .isEqualTo("{\"card\":\"[REDACTED:CREDIT_CARD]\",\"tel\":\"[REDACTED:PHONE]\"}");
      assertThat(redact("/pay?card=4111111111111111&tel=+1-415-555-0132&n=2"))
          .isEqualTo("/pay?card=[REDACTED:CREDIT_CARD]&tel=[REDACTED:PHONE]&n=2");
    }

    @Test
    void aCardNextToOtherDigitsOrItsCvv() {
      assertThat(redact("ref 1234 4111 1111 1111 1111"))
          .isEqualTo("ref 1234 [REDACTED:CREDIT_CARD]");
      assertThat(redact("4111 1111 1111 1111 123")).isEqualTo("[REDACTED:CREDIT_CARD] 123");
      assertThat(redact("4111 1111 1111 1111 12/29")).isEqualTo("[REDACTED:CREDIT_CARD] 12/29");
      assertThat(redact("(4111 1111 1111 1111)")).isEqualTo("([REDACTED:CREDIT_CARD])");
    }

    @Test
    void aFailedCardNumberHidesNoPhoneAndNoCard() {
      assertThat(ALL.find("4111 1111 1111 1113")).isEmpty();
      assertThat(redact("4111 1111 1111 1113 415 555 0132"))
          .isEqualTo("4111 1111 1111 1113 [REDACTED:PHONE]");
      // unless the digits together are a valid 19-digit card: then they are redacted as one
      assertThat(redact("4111 1111 1111 1112 415 555 0132"))
          .isEqualTo("[REDACTED:CREDIT_CARD] [REDACTED:PHONE]");
    }

    @Test
    void timesDatesAndDecimalsNextToValues() {
      assertThat(redact("at 12:30 +65 6123 4567")).isEqualTo("at 12:30 [REDACTED:PHONE]");
      assertThat(redact("+65 6123 4567 12:30")).isEqualTo("[REDACTED:PHONE] 12:30");
      assertThat(redact("2024-01-15 415-555-0132")).isEqualTo("2024-01-15 [REDACTED:PHONE]");
      assertThat(ALL.find("0.4155550132 and 12,000 and 1,250,000")).isEmpty();
      assertThat(redact("10.0.0.1/24")).isEqualTo("[REDACTED:IPV4]/24");
    }
  }

  @Nested
  class OtherRecognizers {
    @ParameterizedTest
    @ValueSource(strings = {",", ";", " ", "|", "\t", ", "})
    void emails(String sep) {
      assertThat(redact("a@b.com" + sep + "c@d.io"))
          .isEqualTo("[REDACTED:EMAIL]" + sep + "[REDACTED:EMAIL]");
    }

    @Test
    void ibansInACsvRowAndSideBySide() {
      assertThat(redact("Jane,GB82WEST12345698765432,DE89370400440532013000,EUR"))
          .isEqualTo("Jane,[REDACTED:IBAN],[REDACTED:IBAN],EUR");
      assertThat(redact("GB82 WEST 1234 5698 7654 32 DE89 3704 0044 0532 0130 00"))
          .isEqualTo("[REDACTED:IBAN] [REDACTED:IBAN]");
    }

    @Test
    void ipv6AddressesInATableAndAList() {
      assertThat(redact("| 2001:db8::1 | fe80::1ff:fe23:4567:890a |"))
          .isEqualTo("| [REDACTED:IPV6] | [REDACTED:IPV6] |");
      assertThat(redact("2001:db8::1,2001:db8::2")).isEqualTo("[REDACTED:IPV6],[REDACTED:IPV6]");
    }

    @Test
    void urlCredentialsSideBySide() {
      assertThat(redact("postgres://app:Fake1@db1/x,mysql://root:Fake2@db2/y"))
          .isEqualTo(
              "postgres://[REDACTED:URL_CREDENTIALS]@db1/x,mysql://[REDACTED:URL_CREDENTIALS]@db2/y");
      assertThat(redact("| redis://:Fake3@cache:6379 | amqp://u:Fake4@mq |"))
          .isEqualTo(
              "| redis://[REDACTED:URL_CREDENTIALS]@cache:6379 | amqp://[REDACTED:URL_CREDENTIALS]@mq |");
    }
  }

  @Nested
  class NotValues {
    @ParameterizedTest
    @ValueSource(
        strings = {
          "2024-01-15",
          "12:30:45",
          "v1.2.3.4",
          "1.10.2",
          "order #100234567",
          "ISBN 978-3-16-148410-0",
          "ISBN 0-306-40615-2",
          "1701234567890",
          "1701234567",
          "550e8400-e29b-41d4-a716-446655440000",
          "12345678-1234-5678",
          "2024-01-15T12:30:45Z",
          "4111111111111112",
          "6583 3901 5571 2924",
          "build 20240115 at 0930"
        })
    void stay(String text) {
      assertThat(ALL.find(text)).isEmpty();
      assertThat(ALL.find("see " + text + ", then")).isEmpty();
      assertThat(ALL.find("| " + text + " | " + text + " |")).isEmpty();
    }
  }

  @Nested
  class PhoneRegion {
    @Test
    void nationalNumbersWithoutGroupingAreReadAsTheDefaultRegionWritesThem() {
      assertThat(types("call 4155550132")).containsExactly(RedactionType.PHONE);
      assertThat(ALL.find("call 0301234567")).isEmpty();

      Redactor german =
          TenantRedaction.from(Env.of(Map.of("REDACTION_PHONE_REGION", "de")), PolicyBundle.empty())
              .answers("-");
      assertThat(german.find("call 0301234567"))
          .extracting(Finding::type)
          .containsExactly(RedactionType.PHONE);
      // international numbers do not depend on it
      assertThat(german.find("call +1 415 555 0132"))
          .extracting(Finding::type)
          .containsExactly(RedactionType.PHONE);
      // and a redactor built for another region is not touched by it
      assertThat(ALL.find("call 0301234567")).isEmpty();
    }

    @Test
    void anUnknownRegionStopsStartUp() {
      assertThatThrownBy(
              () ->
                  TenantRedaction.from(
                      Env.of(Map.of("REDACTION_PHONE_REGION", "XX")), PolicyBundle.empty()))
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("REDACTION_PHONE_REGION")
          .hasMessageContaining("XX");
    }
  }
}

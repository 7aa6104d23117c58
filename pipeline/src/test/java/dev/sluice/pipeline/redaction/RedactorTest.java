package dev.sluice.pipeline.redaction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RedactorTest {
  private static final Redactor ALL = Redactor.create();

  private static String redact(String text) {
    return ALL.redact(text).text();
  }

  private static List<RedactionType> types(String text) {
    return ALL.find(text).stream().map(Finding::type).toList();
  }

  @Nested
  class Emails {
    @Test
    void replacesAddressesAndKeepsSentencePunctuation() {
      assertThat(redact("Write to jane.doe+news@mail.example.co.uk."))
          .isEqualTo("Write to [REDACTED:EMAIL].");
      assertThat(redact("<ops_team@example.org>")).isEqualTo("<[REDACTED:EMAIL]>");
    }

    @ParameterizedTest
    @ValueSource(strings = {"@handle", "a@b", "user@localhost", "x@y.1", "@@@@", "me@.com"})
    void leavesNonAddressesAlone(String text) {
      assertThat(ALL.find(text)).isEmpty();
    }
  }

  @Nested
  class Phones {
    @ParameterizedTest
    @ValueSource(
        strings = {
          "+1 415-555-0132",
          "+44 20 7946 0958",
          "(415) 555-0132",
          "415.555.0132",
          "415-555-0132 x1234",
          "001-415-555-0132",
          "020 7946 0958",
          "06-12345678",
          "0612 34 56 78",
          "(03) 9876 5432",
          "4155550132"
        })
    void redactsInternationalAndNationalFormats(String phone) {
      assertThat(redact("Call " + phone + " today")).isEqualTo("Call [REDACTED:PHONE] today");
    }

    @ParameterizedTest
    @ValueSource(
        strings = {
          "on 2024-03-18 at noon",
          "on 18.03.2024 at noon",
          "version 1.2.3",
          "Apt. 712 21 36",
          "Suite 680 36 4022",
          "costs $100 200 300",
          "epoch 1710756930",
          "pi is 3.14159265",
          "order #4155550132",
          "from 1990-2001",
          "in 2022 2023 2024",
          "ZIP 94105-1234",
          "12345"
        })
    void leavesDatesVersionsAndAddressNumbersAlone(String text) {
      assertThat(ALL.find(text)).isEmpty();
    }
  }

  @Nested
  class Cards {
    @ParameterizedTest
    @ValueSource(
        strings = {
          "4111111111111111",
          "4111 1111 1111 1111",
          "5500-0000-0000-0004",
          "3782 822463 10005",
          "6011000990139424"
        })
    void redactsLuhnValidNumbers(String card) {
      assertThat(redact("card " + card + ", exp 12/29"))
          .isEqualTo("card [REDACTED:CREDIT_CARD], exp 12/29");
    }

    @ParameterizedTest
    @ValueSource(
        strings = {
          "6759 6498 2648",
          "180000000000002",
          "2131 0000 0000 001",
          "3530 1113 3330 0000 1",
          "6221 2600 0000 0000 019",
          "6011000000000000001",
          "2200 1234 5678 9019",
          "8112 3456 7890 1239",
          "3012 345678 9019",
          "5018 1234 5678 9012 344"
        })
    void redactsEveryNetworkAtEveryLength(String card) {
      assertThat(redact("card " + card + ", exp 12/29"))
          .isEqualTo("card [REDACTED:CREDIT_CARD], exp 12/29");
    }

    @ParameterizedTest
    @ValueSource(
        strings = {
          "4111.1111.1111.1111",
          "4111/1111/1111/1111",
          "4111_1111_1111_1111",
          "4111\u00a01111\u00a01111\u00a01111",
          "4111\u20131111\u20131111\u20131111"
        })
    void readsEverySeparator(String card) {
      assertThat(redact("card " + card + " ok")).isEqualTo("card [REDACTED:CREDIT_CARD] ok");
    }

    @Test
    void leavesNumbersFailingLuhnAlone() {
      assertThat(ALL.find("card 4111 1111 1111 1112")).isEmpty();
      assertThat(ALL.find("card 4111111111111112")).isEmpty();
    }

    @Test
    void findsTwoCardsInOneRun() {
      assertThat(types("4111111111111111 5500000000000004"))
          .containsExactly(RedactionType.CREDIT_CARD, RedactionType.CREDIT_CARD);
    }
  }

  @Nested
  class Ibans {
    @Test
    void redactsCompactGroupedAndLowercaseIbans() {
      assertThat(redact("IBAN GB82WEST12345698765432.")).isEqualTo("IBAN [REDACTED:IBAN].");
      assertThat(redact("IBAN GB82 WEST 1234 5698 7654 32 please"))
          .isEqualTo("IBAN [REDACTED:IBAN] please");
      assertThat(redact("de89370400440532013000")).isEqualTo("[REDACTED:IBAN]");
    }

    @Test
    void leavesIbansFailingMod97Alone() {
      assertThat(ALL.find("IBAN GB82 WEST 1234 5698 7654 33")).isEmpty();
      assertThat(ALL.find("IBAN DE89370400440532013001")).isEmpty();
    }
  }

  @Nested
  class Ssns {
    @Test
    void redactsValidSsns() {
      assertThat(redact("SSN 123-45-6789.")).isEqualTo("SSN [REDACTED:US_SSN].");
      assertThat(redact("ssn: 123456789")).isEqualTo("ssn: [REDACTED:US_SSN]");
    }

    @ParameterizedTest
    @ValueSource(
        strings = {"000-12-3456", "666-12-3456", "912-12-3456", "123-00-4567", "123-45-0000"})
    void leavesInvalidRangesAlone(String ssn) {
      assertThat(ALL.find("SSN " + ssn)).isEmpty();
    }

    @Test
    void anUnlabelledNineDigitNumberIsNotAnSsn() {
      assertThat(ALL.find("licence 123456789")).isEmpty();
    }
  }

  @Nested
  class IpAddresses {
    @Test
    void redactsIpv4AndIpv6() {
      assertThat(redact("from 192.168.10.254:8080")).isEqualTo("from [REDACTED:IPV4]:8080");
      assertThat(redact("host 2001:db8:85a3::8a2e:370:7334 up"))
          .isEqualTo("host [REDACTED:IPV6] up");
      assertThat(redact("fe80:0:0:0:202:b3ff:fe1e:8329")).isEqualTo("[REDACTED:IPV6]");
    }

    @Test
    void leavesTimesMacsAndScopesAlone() {
      assertThat(ALL.find("at 21:58:22, MAC 00:1A:2B:3C:4D:5E, std::vector, 999.1.1.1")).isEmpty();
    }

    @Test
    void canBeSwitchedOff() {
      Redactor noIp = Redactor.create(RedactionType.allExceptIpAddresses());
      String text = "from 10.1.2.3 and ::ffff:10.1.2.3 and 2001:db8::1";
      assertThat(noIp.redact(text).text()).isSameAs(text);
      assertThat(noIp.enabledTypes()).doesNotContain(RedactionType.IPV4, RedactionType.IPV6);
    }
  }

  @Nested
  class Secrets {
    @Test
    void namesTheProviderOfAKeyInsideAnAssignment() {
      assertThat(types("OPENAI_API_KEY=\"sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z\""))
          .containsExactly(RedactionType.OPENAI_KEY);
      // the checksum is computed here so that no valid GitHub token is written in the source
      String github = ValueSamples.github("FAKEEf6hIj9kLm2nOp5qRs8tUv1wXy");
      assertThat(types("Authorization: Bearer " + github))
          .containsExactly(RedactionType.GITHUB_TOKEN);
    }

    @Test
    void redactsAMultilinePemBlockWhole() {
      String pem =
          "-----BEGIN EC PRIVATE KEY-----\n"
              + "MHcCAQEEIFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEoAoGCCqGSM49\n"
              + "AwEHoUQDQgAEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKE==\n"
              + "-----END EC PRIVATE KEY-----";
      assertThat(redact("key:\n" + pem + "\ndone")).isEqualTo("key:\n[REDACTED:PRIVATE_KEY]\ndone");
    }

    @Test
    void redactsATruncatedPemBlockToTheEndOfItsBody() {
      String text = "-----BEGIN RSA PRIVATE KEY-----\nMIIEFAKEFAKE0123\nABCDEF==";
      assertThat(redact(text)).isEqualTo("[REDACTED:PRIVATE_KEY]");
    }

    @Test
    void keepsSchemeAndHostOfAUrlWithCredentials() {
      assertThat(redact("postgres://app:Fake-Pa55w0rd@db.internal:5432/orders"))
          .isEqualTo("postgres://[REDACTED:URL_CREDENTIALS]@db.internal:5432/orders");
    }

    @Test
    void secretAssignmentsNeedARandomLookingValue() {
      assertThat(types("DB_PASSWORD=Xk9#mQ2$vL7pR4"))
          .containsExactly(RedactionType.SECRET_ASSIGNMENT);
      assertThat(ALL.find("password = changeme")).isEmpty();
      assertThat(ALL.find("token = getToken()")).isEmpty();
      assertThat(ALL.find("secret_name = prod-db-credentials-v2")).isEmpty();
    }

    @Test
    void aTemplateIsNoSecretEvenWhereTheValueStopsAtItsBrace() {
      assertThat(ALL.find("token=Abc123XyZ9q${VAR}")).isEmpty();
      assertThat(ALL.find("password=\"aB3{{x}}dE9xYz1\"")).isEmpty();
      assertThat(types("secret=aB3dE9xYz1Qw")).containsExactly(RedactionType.SECRET_ASSIGNMENT);
    }
  }

  @Nested
  class Reports {
    @Test
    void countsEachTypeAndNeverShowsTheText() {
      Redaction r =
          ALL.redact(
              "a@example.com, b@example.com, 4111 1111 1111 1111 and SSN 123-45-6789 "
                  + "with AKIAQ3FAKE7ABCDEFGHI");
      assertThat(r.report().counts())
          .containsExactly(
              Map.entry("EMAIL", 2),
              Map.entry("CREDIT_CARD", 1),
              Map.entry("US_SSN", 1),
              Map.entry("AWS_ACCESS_KEY_ID", 1));
      assertThat(r.report().total()).isEqualTo(5);
      assertThat(r.report().count(RedactionType.EMAIL)).isEqualTo(2);
      assertThat(r.report().toString()).doesNotContain("example").contains("EMAIL=2");
      assertThat(r.toString()).doesNotContain("REDACTED").doesNotContain("example");
    }

    @Test
    void cleanTextComesBackAsTheSameStringWithAnEmptyReport() {
      String text = "Nothing to see here: just prose, a list, and some code like x = y + 1.";
      Redaction r = ALL.redact(text);
      assertThat(r.text()).isSameAs(text);
      assertThat(r.report()).isSameAs(RedactionReport.EMPTY);
      assertThat(r.changed()).isFalse();
    }

    @Test
    void overlapsResolveToOneReplacement() {
      String text = "mongodb://admin:S3cr3tFAKE@mail.example.com/db";
      assertThat(redact(text))
          .isEqualTo("mongodb://[REDACTED:URL_CREDENTIALS]@mail.example.com/db");
      assertThat(ALL.redact(text).report().total()).isEqualTo(1);
    }
  }

  @Nested
  class Configuration {
    @Test
    void onlyEnabledTypesAreRedacted() {
      Redactor emailsOnly = Redactor.create(EnumSet.of(RedactionType.EMAIL));
      assertThat(emailsOnly.redact("a@example.com 4111111111111111").text())
          .isEqualTo("[REDACTED:EMAIL] 4111111111111111");
      assertThat(Redactor.create(EnumSet.noneOf(RedactionType.class)).find("a@example.com"))
          .isEmpty();
    }

    @Test
    void parsesTypeLists() {
      assertThat(RedactionType.parseList(" email, IPV4 ,,"))
          .containsExactlyInAnyOrder(RedactionType.EMAIL, RedactionType.IPV4);
      assertThatThrownBy(() -> RedactionType.parseList("EMAIL,FAX"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("FAX");
    }
  }
}

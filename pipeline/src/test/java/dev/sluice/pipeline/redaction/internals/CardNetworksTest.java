package dev.sluice.pipeline.redaction.internals;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The IIN ranges and lengths the networks publish, at their edges. */
class CardNetworksTest {
  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({
    "Visa, 411111, 13",
    "Visa, 499999, 19",
    "Mastercard, 510000, 16",
    "Mastercard, 559999, 16",
    "Mastercard, 222100, 16",
    "Mastercard, 272099, 16",
    "American Express, 340000, 15",
    "American Express, 379999, 15",
    "Discover, 601100, 16",
    "Discover, 644000, 19",
    "Discover, 622126, 17",
    "Diners Club, 300000, 14",
    "Diners Club, 305999, 19",
    "Diners Club, 360000, 14",
    "Diners Club, 389999, 16",
    "JCB, 352800, 16",
    "JCB, 358999, 19",
    "JCB, 180000, 15",
    "JCB, 213100, 15",
    "Maestro, 500000, 12",
    "Maestro, 501800, 19",
    "Maestro, 589300, 12",
    "Maestro, 630400, 13",
    "Maestro, 675900, 12",
    "Maestro, 676300, 18",
    "RuPay, 810000, 16",
    "RuPay, 829999, 16",
    "Mir, 220000, 16",
    "Mir, 220499, 19"
  })
  void issues(String network, int iin, int length) {
    assertThat(CardNetworks.issues(iin, length)).isTrue();
    assertThat(CardNetworks.network(iin, length)).isNotNull();
    if (!network.equals("Maestro") && !network.equals("RuPay")) {
      assertThat(CardNetworks.network(iin, length)).isIn(network, "Maestro", "UnionPay");
    }
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({
    "no network starts with 1 but JCB's 1800, 123456, 16",
    "no network starts with 7, 700000, 16",
    "nor with 9, 900000, 16",
    "Visa has no 12 digits, 411111, 12",
    "Visa has no 15 digits, 411111, 15",
    "Mastercard is 16 digits, 510000, 19",
    "below the 2-series, 222099, 16",
    "above the 2-series, 272100, 16",
    "Amex is 15 digits, 370000, 16",
    "306 is not Diners, 306000, 14",
    "RuPay 81 is 16 digits, 810000, 19",
    "JCB 1800 is 15 digits, 180000, 16",
    "Mir ends at 2204, 220500, 16",
    "nothing is 11 digits, 500000, 11",
    "nothing is 20 digits, 411111, 20"
  })
  void doesNotIssue(String why, int iin, int length) {
    assertThat(CardNetworks.issues(iin, length)).as(why).isFalse();
  }
}

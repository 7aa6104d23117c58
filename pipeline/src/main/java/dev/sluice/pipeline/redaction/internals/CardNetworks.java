package dev.sluice.pipeline.redaction.internals;

import java.util.List;

/**
 * Payment card numbers by issuer identification number (IIN) range and length, as the networks
 * publish them. Every network listed checks its numbers with Luhn, which {@link Checksums#luhn}
 * does separately. Ranges overlap (62 is UnionPay and Maestro, 65 Discover and RuPay): a number is
 * a card when any network takes its prefix at its length.
 */
final class CardNetworks {
  /** The shortest and longest card numbers of any network. */
  static final int MIN_LENGTH = 12;

  static final int MAX_LENGTH = 19;

  /**
   * One IIN range: the first six digits between {@code from} and {@code to}, and the lengths
   * allowed as a bit set ({@code 1 << length}).
   */
  private record Range(String network, int from, int to, int lengths) {}

  private static final List<Range> RANGES =
      List.of(
          range("Visa", "4", "4", 13, 16, 19),
          range("Mastercard", "51", "55", 16),
          range("Mastercard", "2221", "2720", 16),
          range("American Express", "34", "34", 15),
          range("American Express", "37", "37", 15),
          range("Discover", "6011", "6011", 16, 17, 18, 19),
          range("Discover", "644", "649", 16, 17, 18, 19),
          range("Discover", "65", "65", 16, 17, 18, 19),
          range("Discover", "622126", "622925", 16, 17, 18, 19),
          range("Diners Club", "300", "305", 14, 15, 16, 17, 18, 19),
          range("Diners Club", "36", "36", 14, 15, 16, 17, 18, 19),
          range("Diners Club", "38", "39", 14, 15, 16, 17, 18, 19),
          range("JCB", "3528", "3589", 16, 17, 18, 19),
          range("JCB", "1800", "1800", 15),
          range("JCB", "2131", "2131", 15),
          // 5018, 5020, 5038, 5893, 6304, 6759 and 6761-6763 lie inside these two
          range("Maestro", "50", "50", 12, 13, 14, 15, 16, 17, 18, 19),
          range("Maestro", "56", "69", 12, 13, 14, 15, 16, 17, 18, 19),
          range("UnionPay", "62", "62", 16, 17, 18, 19),
          range("RuPay", "60", "60", 16),
          range("RuPay", "65", "65", 16),
          range("RuPay", "81", "82", 16),
          range("RuPay", "508", "508", 16),
          range("RuPay", "353", "353", 16),
          range("RuPay", "356", "356", 16),
          range("Mir", "2200", "2204", 16, 17, 18, 19));

  private CardNetworks() {}

  private static Range range(String network, String from, String to, int... lengths) {
    int bits = 0;
    for (int length : lengths) {
      bits |= 1 << length;
    }
    return new Range(network, sixDigits(from, '0'), sixDigits(to, '9'), bits);
  }

  /** "2221" as the lowest six-digit IIN it starts (222100) or the highest (222199). */
  private static int sixDigits(String prefix, char fill) {
    StringBuilder sb = new StringBuilder(prefix);
    while (sb.length() < 6) {
      sb.append(fill);
    }
    return Integer.parseInt(sb.toString());
  }

  /** Whether a network issues {@code length}-digit numbers starting with these six digits. */
  static boolean issues(int iin, int length) {
    if (length < MIN_LENGTH || length > MAX_LENGTH) {
      return false;
    }
    for (Range r : RANGES) {
      if (iin >= r.from() && iin <= r.to() && (r.lengths() & (1 << length)) != 0) {
        return true;
      }
    }
    return false;
  }

  /** The network that issues such a number, or null; for tests and messages. */
  static String network(int iin, int length) {
    for (Range r : RANGES) {
      if (iin >= r.from() && iin <= r.to() && (r.lengths() & (1 << length)) != 0) {
        return r.network();
      }
    }
    return null;
  }
}

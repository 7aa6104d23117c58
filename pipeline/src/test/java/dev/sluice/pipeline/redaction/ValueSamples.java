package dev.sluice.pipeline.redaction;

import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.PhoneNumberUtil.PhoneNumberFormat;
import com.google.i18n.phonenumbers.PhoneNumberUtil.PhoneNumberType;
import com.google.i18n.phonenumbers.Phonenumber.PhoneNumber;
import dev.sluice.pipeline.redaction.internals.Checksums;
import java.math.BigInteger;
import java.util.List;
import java.util.Random;

/**
 * Random values of every type the number, email, IBAN and IP recognizers find, written from the
 * documented formats (IIN ranges and lengths, Luhn, ISO 13616 mod-97, SSA issuance rules, RFC 4291
 * text forms), and random non-values that look like them. For the property tests.
 */
final class ValueSamples {
  /** A value and the type it must be redacted as. */
  record Sample(String text, RedactionType type) {}

  /** Documented IIN prefixes (as ranges of the leading digits) and the lengths issued for each. */
  private record Iin(String network, int from, int to, int[] lengths) {}

  private static final List<Iin> IINS =
      List.of(
          new Iin("Visa", 4, 4, new int[] {13, 16, 19}),
          new Iin("Mastercard", 51, 55, new int[] {16}),
          new Iin("Mastercard 2-series", 2221, 2720, new int[] {16}),
          new Iin("Amex", 34, 34, new int[] {15}),
          new Iin("Amex", 37, 37, new int[] {15}),
          new Iin("Discover", 6011, 6011, new int[] {16, 17, 18, 19}),
          new Iin("Discover", 644, 649, new int[] {16, 19}),
          new Iin("Discover", 65, 65, new int[] {16, 19}),
          new Iin("Discover", 622126, 622925, new int[] {16, 17, 18, 19}),
          new Iin("Diners", 300, 305, new int[] {14, 16, 19}),
          new Iin("Diners", 36, 36, new int[] {14, 15, 16, 19}),
          new Iin("Diners", 38, 39, new int[] {16, 19}),
          new Iin("JCB", 3528, 3589, new int[] {16, 17, 18, 19}),
          new Iin("JCB", 1800, 1800, new int[] {15}),
          new Iin("JCB", 2131, 2131, new int[] {15}),
          new Iin("Maestro", 50, 50, new int[] {12, 13, 14, 15, 16, 17, 18, 19}),
          new Iin("Maestro", 56, 69, new int[] {12, 13, 15, 16, 19}),
          new Iin("Maestro", 6759, 6759, new int[] {12, 16, 18, 19}),
          new Iin("Maestro", 6761, 6763, new int[] {12, 16, 19}),
          new Iin("Maestro", 5018, 5018, new int[] {12, 16, 19}),
          new Iin("Maestro", 5893, 5893, new int[] {12, 16, 19}),
          new Iin("Maestro", 6304, 6304, new int[] {12, 16, 19}),
          new Iin("UnionPay", 62, 62, new int[] {16, 17, 18, 19}),
          new Iin("RuPay", 60, 60, new int[] {16}),
          new Iin("RuPay", 81, 82, new int[] {16}),
          new Iin("RuPay", 508, 508, new int[] {16}),
          new Iin("RuPay", 353, 353, new int[] {16}),
          new Iin("Mir", 2200, 2204, new int[] {16, 17, 18, 19}));

  /** The separators a card is written with; the no-break space and en dash as they may arrive. */
  private static final String[] CARD_SEPARATORS = {" ", "-", ".", "/", "_", "\u00a0", "\u2013"};

  /** Assigned North American area codes (a few of many). */
  private static final int[] AREA_CODES = {
    201, 202, 206, 212, 213, 214, 303, 305, 312, 404, 415, 503, 512, 602, 617, 646, 702, 713, 718,
    786, 808, 818, 917, 949
  };

  private static final String[] REGIONS = {
    "GB", "DE", "FR", "IN", "BR", "JP", "AU", "ES", "IT", "NL", "MX", "ZA", "SG", "SE", "CH", "CA"
  };

  /** Country, BBAN pattern (n digit, a upper-case letter, c either) from the IBAN registry. */
  private static final String[][] IBAN_FORMATS = {
    {"GB", "aaaannnnnnnnnnnnnn"},
    {"DE", "nnnnnnnnnnnnnnnnnn"},
    {"FR", "nnnnnnnnnncccccccccccnn"},
    {"NL", "aaaannnnnnnnnn"},
    {"ES", "nnnnnnnnnnnnnnnnnnnn"},
    {"IT", "annnnnnnnnncccccccccccc"},
    {"BE", "nnnnnnnnnnnn"},
    {"CH", "nnnnncccccccccccc"},
    {"NO", "nnnnnnnnnnn"},
    {"PL", "nnnnnnnnnnnnnnnnnnnnnnnn"}
  };

  private static final PhoneNumberUtil PHONES = PhoneNumberUtil.getInstance();

  private ValueSamples() {}

  // ---- cards

  /**
   * A GitHub personal access token for a 30-character body: the checksum is computed, so no valid
   * token is written in a test's source.
   */
  static String github(String body) {
    return "ghp_" + body + Checksums.crc32Base62(body, 0, body.length());
  }

  static Sample card(Random r) {
    Iin iin = IINS.get(r.nextInt(IINS.size()));
    int length = iin.lengths()[r.nextInt(iin.lengths().length)];
    String digits = cardDigits(r, iin, length, true);
    return new Sample(groupCard(r, digits), RedactionType.CREDIT_CARD);
  }

  /**
   * A card-shaped number with a card prefix whose check digit is wrong: an order number. Not
   * grouped in fours by spaces with a shorter last group: "6583 3901 5571 2924 307" reads as a card
   * and a short number after it (a CVV), and is redacted as one when its first sixteen digits pass
   * Luhn.
   */
  static String cardFailingLuhn(Random r) {
    while (true) {
      Iin iin = IINS.get(r.nextInt(IINS.size()));
      int length = iin.lengths()[r.nextInt(iin.lengths().length)];
      String number = groupCard(r, cardDigits(r, iin, length, false));
      boolean spaced = number.length() > 4 && Character.isSpaceChar(number.charAt(4));
      if (!spaced || number.length() % 5 == 4) {
        return number;
      }
    }
  }

  private static String cardDigits(Random r, Iin iin, int length, boolean valid) {
    String prefix = String.valueOf(iin.from() + r.nextInt(iin.to() - iin.from() + 1));
    StringBuilder sb = new StringBuilder(prefix);
    while (sb.length() < length - 1) {
      sb.append((char) ('0' + r.nextInt(10)));
    }
    int check = luhnCheckDigit(sb);
    if (!valid) {
      check = (check + 1 + r.nextInt(9)) % 10;
    }
    return sb.append((char) ('0' + check)).toString();
  }

  static int luhnCheckDigit(CharSequence payload) {
    int sum = 0;
    boolean dbl = true;
    for (int i = payload.length() - 1; i >= 0; i--) {
      int d = payload.charAt(i) - '0';
      if (dbl) {
        d *= 2;
        if (d > 9) {
          d -= 9;
        }
      }
      sum += d;
      dbl = !dbl;
    }
    return (10 - sum % 10) % 10;
  }

  /** Unbroken, in fours, or (15 and 14 digits) as Amex and Diners print them. */
  private static String groupCard(Random r, String digits) {
    int style = r.nextInt(3);
    if (style == 0) {
      return digits;
    }
    String sep = CARD_SEPARATORS[r.nextInt(CARD_SEPARATORS.length)];
    if (style == 2 && (digits.length() == 15 || digits.length() == 14)) {
      return digits.substring(0, 4) + sep + digits.substring(4, 10) + sep + digits.substring(10);
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < digits.length(); i += 4) {
      if (i > 0) {
        sb.append(sep);
      }
      sb.append(digits, i, Math.min(digits.length(), i + 4));
    }
    return sb.toString();
  }

  // ---- phones

  static Sample phone(Random r) {
    return new Sample(r.nextInt(3) == 0 ? northAmerican(r) : international(r), RedactionType.PHONE);
  }

  /** A valid US number in one of the ways it is written at home. */
  private static String northAmerican(Random r) {
    while (true) {
      int area = AREA_CODES[r.nextInt(AREA_CODES.length)];
      int exchange = 200 + r.nextInt(800);
      int line = r.nextInt(10000);
      String a = String.valueOf(area);
      String x = String.valueOf(exchange);
      String l = String.format("%04d", line);
      PhoneNumber n =
          new PhoneNumber().setCountryCode(1).setNationalNumber(Long.parseLong(a + x + l));
      if (exchange % 100 == 11 || !PHONES.isValidNumber(n)) {
        continue;
      }
      return switch (r.nextInt(7)) {
        case 0 -> "(" + a + ") " + x + "-" + l;
        case 1 -> a + "-" + x + "-" + l;
        case 2 -> a + "." + x + "." + l;
        case 3 -> a + x + l;
        case 4 -> "1-" + a + "-" + x + "-" + l;
        case 5 -> "+1 " + a + " " + x + " " + l;
        default -> "(" + a + ")" + x + "-" + l;
      };
    }
  }

  /** A number of another region, its last digits random, in international or E.164 form. */
  private static String international(Random r) {
    String region = REGIONS[r.nextInt(REGIONS.length)];
    PhoneNumberType type = r.nextBoolean() ? PhoneNumberType.MOBILE : PhoneNumberType.FIXED_LINE;
    PhoneNumber example = PHONES.getExampleNumberForType(region, type);
    long national = example.getNationalNumber();
    long tail = national % 1000;
    national = national - tail + r.nextInt(1000);
    PhoneNumber n =
        new PhoneNumber()
            .setCountryCode(example.getCountryCode())
            .setNationalNumber(national)
            .setItalianLeadingZero(example.isItalianLeadingZero())
            .setNumberOfLeadingZeros(example.getNumberOfLeadingZeros());
    String formatted = PHONES.format(n, PhoneNumberFormat.INTERNATIONAL);
    return switch (r.nextInt(4)) {
      case 0 -> PHONES.format(n, PhoneNumberFormat.E164);
      case 1 -> "00" + formatted.substring(1);
      case 2 -> formatted.replace(' ', '-');
      default -> formatted;
    };
  }

  // ---- the rest

  static Sample ssn(Random r) {
    int area;
    do {
      area = 1 + r.nextInt(899);
    } while (area == 666);
    String sep = r.nextBoolean() ? "-" : " ";
    return new Sample(
        String.format("%03d%s%02d%s%04d", area, sep, 1 + r.nextInt(99), sep, 1 + r.nextInt(9999)),
        RedactionType.US_SSN);
  }

  static Sample ipv4(Random r) {
    return new Sample(
        r.nextInt(256) + "." + r.nextInt(256) + "." + r.nextInt(256) + "." + r.nextInt(256),
        RedactionType.IPV4);
  }

  static Sample ipv6(Random r) {
    String[] groups = new String[8];
    for (int k = 0; k < 8; k++) {
      groups[k] = Integer.toHexString(r.nextInt(0x10000));
    }
    groups[0] = String.valueOf(1 + r.nextInt(9999)); // at least one digit
    if (r.nextBoolean()) {
      return new Sample(String.join(":", groups), RedactionType.IPV6);
    }
    // one run of zero groups compressed, as RFC 5952 writes it; the first group stays
    int from = 1 + r.nextInt(5);
    int to = from + 1 + r.nextInt(7 - from);
    String head = String.join(":", java.util.Arrays.copyOfRange(groups, 0, from));
    String tail = String.join(":", java.util.Arrays.copyOfRange(groups, to, 8));
    return new Sample(head + "::" + tail, RedactionType.IPV6);
  }

  static Sample email(Random r) {
    String local = word(r, 1 + r.nextInt(10));
    if (r.nextBoolean()) {
      local += "." + word(r, 1 + r.nextInt(8));
    }
    if (r.nextInt(4) == 0) {
      local += "+" + word(r, 1 + r.nextInt(5));
    }
    String domain = word(r, 2 + r.nextInt(10)) + (r.nextBoolean() ? "." + word(r, 3) : "");
    String tld = new String[] {"com", "org", "io", "de", "co.uk", "example"}[r.nextInt(6)];
    return new Sample(local + "@" + domain + "." + tld, RedactionType.EMAIL);
  }

  private static String word(Random r, int length) {
    StringBuilder sb = new StringBuilder();
    for (int k = 0; k < length; k++) {
      int c = r.nextInt(36);
      sb.append(c < 26 ? (char) ('a' + c) : (char) ('0' + c - 26));
    }
    return sb.toString();
  }

  static Sample iban(Random r) {
    String[] format = IBAN_FORMATS[r.nextInt(IBAN_FORMATS.length)];
    StringBuilder bban = new StringBuilder();
    for (char c : format[1].toCharArray()) {
      boolean letter = c == 'a' || (c == 'c' && r.nextBoolean());
      bban.append(letter ? (char) ('A' + r.nextInt(26)) : (char) ('0' + r.nextInt(10)));
    }
    String iban = format[0] + checkDigits(format[0], bban.toString()) + bban;
    if (r.nextBoolean()) {
      return new Sample(iban, RedactionType.IBAN);
    }
    StringBuilder grouped = new StringBuilder();
    for (int i = 0; i < iban.length(); i += 4) {
      if (i > 0) {
        grouped.append(' ');
      }
      grouped.append(iban, i, Math.min(iban.length(), i + 4));
    }
    return new Sample(grouped.toString(), RedactionType.IBAN);
  }

  /** ISO 7064 mod 97-10 over BBAN + country + "00", letters as 10..35. */
  private static String checkDigits(String country, String bban) {
    StringBuilder numeric = new StringBuilder();
    for (char c : (bban + country + "00").toCharArray()) {
      numeric.append(Character.isDigit(c) ? String.valueOf(c) : String.valueOf(c - 'A' + 10));
    }
    int check = 98 - new BigInteger(numeric.toString()).mod(BigInteger.valueOf(97)).intValue();
    return String.format("%02d", check);
  }

  // ---- non-values

  /** Something that looks like a number, a key or an address and is none of them. */
  static String nonValue(Random r) {
    return switch (r.nextInt(10)) {
      case 8 -> isbn(r);
      case 9 -> String.format("%02d:%02d:%02d", r.nextInt(24), r.nextInt(60), r.nextInt(60));
      case 0 -> java.util.UUID.nameUUIDFromBytes(longBytes(r)).toString();
      case 1 -> hex(r, r.nextBoolean() ? 40 : 64);
      case 2 -> version(r);
      case 3 -> String.valueOf(1_000_000_000L + (long) (r.nextDouble() * 999_999_999L));
      case 4 -> String.valueOf(1_000_000_000_000L + (long) (r.nextDouble() * 999_999_999_999L));
      case 5 -> cardFailingLuhn(r);
      case 6 -> date(r);
      default -> "#" + (100_000 + r.nextInt(900_000_000));
    };
  }

  private static byte[] longBytes(Random r) {
    byte[] b = new byte[16];
    r.nextBytes(b);
    return b;
  }

  private static String hex(Random r, int length) {
    StringBuilder sb = new StringBuilder();
    for (int k = 0; k < length; k++) {
      sb.append(Character.forDigit(r.nextInt(16), 16));
    }
    return sb.toString();
  }

  /** ISBN-13 with its check digit, hyphenated as 978-group-publisher-title-check. */
  private static String isbn(Random r) {
    StringBuilder digits = new StringBuilder("978");
    for (int k = 0; k < 9; k++) {
      digits.append((char) ('0' + r.nextInt(10)));
    }
    int sum = 0;
    for (int k = 0; k < 12; k++) {
      sum += (digits.charAt(k) - '0') * (k % 2 == 0 ? 1 : 3);
    }
    digits.append((char) ('0' + (10 - sum % 10) % 10));
    return digits.substring(0, 3)
        + "-"
        + digits.charAt(3)
        + "-"
        + digits.substring(4, 7)
        + "-"
        + digits.substring(7, 12)
        + "-"
        + digits.charAt(12);
  }

  private static String version(Random r) {
    String v = r.nextInt(20) + "." + r.nextInt(30) + "." + r.nextInt(100);
    return r.nextBoolean() ? "v" + v + "." + r.nextInt(10) : v;
  }

  private static String date(Random r) {
    int y = 1990 + r.nextInt(40);
    int m = 1 + r.nextInt(12);
    int d = 1 + r.nextInt(28);
    return switch (r.nextInt(3)) {
      case 0 -> String.format("%04d-%02d-%02d", y, m, d);
      case 1 -> String.format("%02d.%02d.%04d", d, m, y);
      default ->
          String.format(
              "%04d-%02d-%02dT%02d:%02d:%02dZ",
              y, m, d, r.nextInt(24), r.nextInt(60), r.nextInt(60));
    };
  }
}

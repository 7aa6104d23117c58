package dev.sluice.pipeline.redaction.internals;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.PhoneNumberUtil.ValidationResult;
import com.google.i18n.phonenumbers.Phonenumber.PhoneNumber;
import java.util.Locale;

/**
 * Phone numbers checked against Google's libphonenumber metadata: every country's number lengths
 * and, for national formats, the default region's numbering plan. {@link NumberRecognizer} finds
 * the digit run; this only says whether its digits are a number, so no text is ever searched here.
 *
 * <p>National formats are read as one region writes them: each {@code Redactor} is built with its
 * region ({@code REDACTION_PHONE_REGION}, {@link #DEFAULT_REGION} unless set).
 */
public final class PhoneNumbers {
  private static final PhoneNumberUtil UTIL = PhoneNumberUtil.getInstance();

  /** The longest national number of any plan, and the longest E.164 number. */
  static final int MAX_NATIONAL_DIGITS = 17;

  static final int MAX_INTERNATIONAL_DIGITS = 15;

  private static final String UNKNOWN_REGION = "ZZ";

  /**
   * Whether each number below 1000 is a country calling code: looked up for every digit run that
   * follows a {@code +} or {@code 00}, so an array load instead of libphonenumber's boxed map.
   */
  private static final boolean[] COUNTRY_CODES = countryCodes();

  /** The North American Numbering Plan's country code. */
  private static final int NANP = 1;

  /** The region whose national formats a redactor reads unless told otherwise. */
  public static final String DEFAULT_REGION = "US";

  private PhoneNumbers() {}

  /**
   * The region as an ISO 3166 code that libphonenumber knows ({@code US}, {@code GB}, {@code DE},
   * ...), in upper case, or an exception that says what is accepted.
   */
  public static String checkedRegion(String region) {
    String code = region == null ? "" : region.trim().toUpperCase(Locale.ROOT);
    if (!UTIL.getSupportedRegions().contains(code)) {
      throw new IllegalArgumentException(
          "unknown phone region '" + region + "': expected an ISO 3166 code such as US or DE");
    }
    return code;
  }

  /**
   * Whether {@code digits}, the country code first (what follows a {@code +} or {@code 00}), have a
   * length that country's numbers can have. Possible rather than valid: measured on the development
   * set, validity refuses too many numbers that are well formed but not (yet) assigned.
   */
  static boolean international(CharSequence digits) {
    int n = digits.length();
    if (n < 7 || n > MAX_INTERNATIONAL_DIGITS) {
      return false;
    }
    // Country codes are prefix-free: the first one to name a region is the one.
    for (int ccLength = 1; ccLength <= 3; ccLength++) {
      int cc = (int) number(digits, 0, ccLength);
      if (COUNTRY_CODES[cc]) {
        return possible(cc, digits, ccLength)
            || (digits.charAt(ccLength) == '0' && parsed("+" + digits, UNKNOWN_REGION));
      }
    }
    return false;
  }

  /** Whether {@code s[from, to)} is exactly one country code (1 to 3 digits). */
  static boolean countryCodeAt(CharSequence s, int from, int to) {
    if (to - from < 1 || to - from > 3) {
      return false;
    }
    return COUNTRY_CODES[(int) number(s, from, to)];
  }

  private static boolean[] countryCodes() {
    boolean[] codes = new boolean[1000];
    for (int cc : UTIL.getSupportedCallingCodes()) {
      codes[cc] = true;
    }
    return codes;
  }

  /**
   * Whether {@code digits}, written without a country code, are a valid number of {@code region}
   * (its trunk prefix, such as the 0 of {@code 020} or the 1 of {@code 1-800}, may lead).
   */
  static boolean national(CharSequence digits, String region) {
    int n = digits.length();
    if (n < 7 || n > MAX_NATIONAL_DIGITS) {
      return false;
    }
    // A length the plan allows, with or without its trunk prefix, before the costly parse
    int cc = UTIL.getCountryCodeForRegion(region);
    String trunk = UTIL.getNddPrefixForRegion(region, true);
    boolean possible =
        possible(cc, digits, 0)
            || (trunk != null
                && !trunk.isEmpty()
                && startsWith(digits, trunk)
                && possible(cc, digits, trunk.length()));
    if (!possible) {
      return false;
    }
    if (cc == NANP) {
      // the trunk 1 is all that North American parsing strips: no parse needed
      return UTIL.isValidNumber(built(cc, digits, 0))
          || (startsWith(digits, "1") && UTIL.isValidNumber(built(cc, digits, 1)));
    }
    return parsed(digits, region);
  }

  private static boolean startsWith(CharSequence digits, String prefix) {
    if (digits.length() < prefix.length()) {
      return false;
    }
    for (int k = 0; k < prefix.length(); k++) {
      if (digits.charAt(k) != prefix.charAt(k)) {
        return false;
      }
    }
    return true;
  }

  /** Checked on a number built by hand: libphonenumber's parse costs more than the check. */
  private static boolean possible(int cc, CharSequence digits, int from) {
    return digits.length() - from >= 4
        && UTIL.isPossibleNumberWithReason(built(cc, digits, from)) == ValidationResult.IS_POSSIBLE;
  }

  /** The number {@code digits[from..]} in country {@code cc}, leading zeros kept as such. */
  private static PhoneNumber built(int cc, CharSequence digits, int from) {
    int n = digits.length();
    PhoneNumber number = new PhoneNumber().setCountryCode(cc);
    int zeros = 0;
    while (from + zeros < n - 1 && digits.charAt(from + zeros) == '0') {
      zeros++;
    }
    if (zeros > 0) {
      number.setItalianLeadingZero(true).setNumberOfLeadingZeros(zeros);
    }
    return number.setNationalNumber(number(digits, from, n));
  }

  private static boolean parsed(CharSequence text, String region) {
    try {
      PhoneNumber number = UTIL.parse(text, region);
      return text.charAt(0) == '+'
          ? UTIL.isPossibleNumberWithReason(number) == ValidationResult.IS_POSSIBLE
          : UTIL.isValidNumber(number);
    } catch (NumberParseException e) {
      return false;
    }
  }

  private static long number(CharSequence digits, int from, int to) {
    long v = 0;
    for (int k = from; k < to; k++) {
      v = v * 10 + (digits.charAt(k) - '0');
    }
    return v;
  }
}

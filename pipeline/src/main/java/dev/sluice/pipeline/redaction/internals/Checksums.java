package dev.sluice.pipeline.redaction.internals;

/** The checks that turn a digit run into a card, an IBAN or an SSN. Pure and allocation-free. */
public final class Checksums {
  private Checksums() {}

  /** Luhn over the digits of {@code s[from, to)}; non-digits are skipped. */
  public static boolean luhn(CharSequence s, int from, int to) {
    int sum = 0;
    boolean dbl = false;
    int digits = 0;
    for (int i = to - 1; i >= from; i--) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        continue;
      }
      int d = c - '0';
      if (dbl) {
        d *= 2;
        if (d > 9) {
          d -= 9;
        }
      }
      sum += d;
      dbl = !dbl;
      digits++;
    }
    return digits > 0 && sum % 10 == 0;
  }

  /**
   * ISO 13616 mod-97 over an IBAN given as its alphanumeric characters (no spaces), any case.
   * Letters count as 10..35.
   */
  public static boolean ibanMod97(char[] iban, int length) {
    if (length < 5) {
      return false;
    }
    int rem = 0;
    for (int k = 0; k < length; k++) {
      char c = iban[(k + 4) % length];
      int v;
      if (c >= '0' && c <= '9') {
        v = c - '0';
        rem = (rem * 10 + v) % 97;
      } else {
        char u = Character.toUpperCase(c);
        if (u < 'A' || u > 'Z') {
          return false;
        }
        v = u - 'A' + 10;
        rem = (rem * 100 + v) % 97;
      }
    }
    return rem == 1;
  }

  /**
   * US SSN issuance rules: area not 000, 666 or 900-999; group not 00; serial not 0000. Arguments
   * are the numeric values of the three parts.
   */
  public static boolean validSsn(int area, int group, int serial) {
    return area != 0 && area != 666 && area < 900 && group != 0 && serial != 0;
  }
}

package dev.sluice.pipeline.redaction.internals;

import java.util.zip.CRC32;

/**
 * The checks that turn a digit run into a card, an IBAN or an SSN, and a token into a GitHub or npm
 * token. Pure; only the CRC32 allocates.
 */
public final class Checksums {
  private Checksums() {}

  private static final String BASE62 =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

  /** The 6-character base62 CRC32 of {@code s[from, to)}, as GitHub and npm append it. */
  public static String crc32Base62(CharSequence s, int from, int to) {
    CRC32 crc = new CRC32();
    for (int k = from; k < to; k++) {
      crc.update(s.charAt(k));
    }
    long value = crc.getValue();
    char[] out = new char[6];
    for (int k = 5; k >= 0; k--) {
      out[k] = BASE62.charAt((int) (value % 62));
      value /= 62;
    }
    return new String(out);
  }

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

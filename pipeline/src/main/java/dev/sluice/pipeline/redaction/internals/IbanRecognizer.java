package dev.sluice.pipeline.redaction.internals;

import static dev.sluice.pipeline.redaction.internals.Chars.isAlnum;
import static dev.sluice.pipeline.redaction.internals.Chars.isDigit;
import static dev.sluice.pipeline.redaction.internals.Chars.isLetter;

import dev.sluice.pipeline.redaction.RedactionType;
import java.util.Set;

/**
 * IBANs at a word start: a country code with its registry length, check digits and the BBAN,
 * optionally in groups of four, mod-97 checked. Goes first among the word-start recognizers.
 */
final class IbanRecognizer implements Recognizer {
  /** IBAN length by country (ISO 13616 registry), indexed by (c1 - 'A') * 26 + (c2 - 'A'). */
  private static final byte[] IBAN_LENGTHS = new byte[26 * 26];

  static {
    String registry =
        "AD24 AE23 AL28 AT20 AZ28 BA20 BE16 BG22 BH22 BI27 BR29 BY28 CH21 CR22 CY28 CZ24 DE22"
            + " DJ27 DK18 DO28 EE20 EG29 ES24 FI18 FK18 FO18 FR27 GB22 GE22 GI23 GL18 GR27 GT28"
            + " HR21 HU28 IE22 IL23 IQ23 IS26 IT27 JO30 KW30 KZ20 LB28 LC32 LI21 LT20 LU20 LV21"
            + " LY25 MC27 MD24 ME22 MK19 MN20 MR27 MT31 MU30 NI28 NL18 NO15 OM23 PK24 PL28 PS29"
            + " PT25 QA29 RO24 RS22 RU33 SA24 SC31 SD18 SE24 SI19 SK24 SM27 SO23 ST25 SV28 TL23"
            + " TN24 TR26 UA29 VA22 VG24 XK20 YE30";
    for (String entry : registry.split(" ")) {
      IBAN_LENGTHS[(entry.charAt(0) - 'A') * 26 + (entry.charAt(1) - 'A')] =
          (byte) Integer.parseInt(entry.substring(2));
    }
  }

  @Override
  public String triggers() {
    return "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  }

  @Override
  public boolean atWordStart() {
    return true;
  }

  @Override
  public Set<RedactionType> emits() {
    return Set.of(RedactionType.IBAN);
  }

  @Override
  public int scan(String s, int i, Scan scan) {
    if (i + 3 < s.length()
        && isLetter(s.charAt(i + 1))
        && isDigit(s.charAt(i + 2))
        && isDigit(s.charAt(i + 3))
        && scan.on(RedactionType.IBAN)) {
      int end = iban(s, i, scan);
      if (end > i) {
        return end;
      }
    }
    return DECLINE;
  }

  /** Country code, check digits, BBAN; spaces every four characters allowed; mod-97 checked. */
  private int iban(String s, int i, Scan scan) {
    int n = s.length();
    char c1 = Character.toUpperCase(s.charAt(i));
    char c2 = Character.toUpperCase(s.charAt(i + 1));
    if (c1 < 'A' || c1 > 'Z' || c2 < 'A' || c2 > 'Z') {
      return -1;
    }
    int expected = IBAN_LENGTHS[(c1 - 'A') * 26 + (c2 - 'A')];
    if (expected == 0) {
      return -1;
    }
    char[] buf = new char[expected];
    int count = 0;
    int k = i;
    while (k < n && count < expected) {
      char c = s.charAt(k);
      if (isAlnum(c)) {
        buf[count++] = c;
        k++;
      } else if (c == ' ' && count % 4 == 0 && count > 0 && k + 1 < n && isAlnum(s.charAt(k + 1))) {
        k++;
      } else {
        break;
      }
    }
    if (count != expected || (k < n && (isAlnum(s.charAt(k)) || s.charAt(k) == '_'))) {
      return -1;
    }
    boolean upper = false;
    boolean lower = false;
    for (char c : buf) {
      upper |= c >= 'A' && c <= 'Z';
      lower |= c >= 'a' && c <= 'z';
    }
    if (upper && lower) {
      return -1;
    }
    if (!Checksums.ibanMod97(buf, count)) {
      return -1;
    }
    scan.add(RedactionType.IBAN, i, k);
    return k;
  }
}

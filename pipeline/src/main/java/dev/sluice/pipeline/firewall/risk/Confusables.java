package dev.sluice.pipeline.firewall.risk;

/**
 * Cyrillic and Greek letters that look like Latin ones, read as the Latin letter. Fullwidth and
 * mathematical alphanumerics need no entry: NFKC has already folded them.
 */
final class Confusables {

  private static final char[] TABLE = new char[0x0530];

  static {
    // Cyrillic lower and upper case.
    map("аa вb еe ѐe ёe кk мm нh оo рp сc тt уy хx ѕs іi їi јj ԁd ӏl ɡg ԛq ԝw һh");
    map("АA ВB ЕE ЀE ЁE КK МM НH ОO РP СC ТT УY ХX ЅS ІI ЇI ЈJ ԀD ӀI ԚQ ԜW Һh");
    // Greek lower and upper case.
    map("αa βb εe ηn ιi κk νv οo ρp τt υu χx γy ωw ϲc ϳj");
    map("ΑA ΒB ΕE ΖZ ΗH ΙI ΚK ΜM ΝN ΟO ΡP ΤT ΥY ΧX Ϲc");
  }

  private Confusables() {}

  private static void map(String pairs) {
    for (String pair : pairs.split(" ")) {
      TABLE[pair.charAt(0)] = pair.charAt(1);
    }
  }

  static int toLatin(int cp) {
    if (cp < TABLE.length && cp >= 0x0250) {
      char mapped = TABLE[cp];
      if (mapped != 0) {
        return mapped;
      }
    }
    return cp;
  }
}

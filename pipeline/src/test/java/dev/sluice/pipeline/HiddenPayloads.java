package dev.sluice.pipeline;

import java.nio.charset.StandardCharsets;

/** Text hidden the ways attackers hide it, and the ordinary uses of the same characters. */
public final class HiddenPayloads {
  /** A red heart in emoji presentation: one variation selector (VS16) after the character. */
  public static final String HEART = "\u2764\uFE0F";

  /** The flag of Scotland: 🏴, the tag letters g b s c t, and the cancel tag. */
  public static final String SCOTLAND =
      new String(Character.toChars(0x1F3F4))
          + tags("gbsct")
          + new String(Character.toChars(0xE007F));

  private HiddenPayloads() {}

  /** {@code ascii} written in tag characters (U+E0000 block): invisible, read by the model. */
  public static String tags(String ascii) {
    StringBuilder out = new StringBuilder();
    ascii.chars().forEach(c -> out.appendCodePoint(0xE0000 + c));
    return out.toString();
  }

  /** {@code text} as variation selectors, one per UTF-8 byte ("emoji smuggling"). */
  public static String selectors(String text) {
    StringBuilder out = new StringBuilder();
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      int v = b & 0xFF;
      out.appendCodePoint(v < 16 ? 0xFE00 + v : 0xE0100 + v - 16);
    }
    return out.toString();
  }

  /** {@code text}'s UTF-8 bytes in standard base64. */
  public static String base64(String text) {
    return java.util.Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  /** {@code text}'s UTF-8 bytes as lower-case hex, two digits a byte. */
  public static String hex(String text) {
    return java.util.HexFormat.of().formatHex(text.getBytes(StandardCharsets.UTF_8));
  }

  /** Every UTF-8 byte as {@code %XX}, as a URL encoder that escapes everything would write it. */
  public static String percent(String text) {
    StringBuilder out = new StringBuilder();
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      out.append(String.format("%%%02X", b & 0xFF));
    }
    return out.toString();
  }

  /** Every UTF-16 unit as a JSON/Java {@code \}{@code uXXXX} escape. */
  public static String unicodeEscapes(String text) {
    StringBuilder out = new StringBuilder();
    for (char c : text.toCharArray()) {
      out.append(String.format("\\u%04x", (int) c));
    }
    return out.toString();
  }

  /**
   * How many characters (code points) a carrier written by {@link #tags} or {@link #selectors} has.
   */
  public static int chars(String carrier) {
    return carrier.codePointCount(0, carrier.length());
  }
}

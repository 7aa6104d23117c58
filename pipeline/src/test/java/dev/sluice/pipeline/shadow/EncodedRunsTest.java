package dev.sluice.pipeline.shadow;

import static dev.sluice.pipeline.HiddenPayloads.base64;
import static dev.sluice.pipeline.HiddenPayloads.hex;
import static dev.sluice.pipeline.HiddenPayloads.percent;
import static dev.sluice.pipeline.HiddenPayloads.unicodeEscapes;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.pipeline.shadow.EncodedRuns.Decoded;
import dev.sluice.pipeline.shadow.EncodedRuns.Encoding;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class EncodedRunsTest {

  private static List<String> texts(List<Decoded> decoded) {
    return decoded.stream().map(d -> d.text().text()).toList();
  }

  /** The original characters a span of the decoded text came from. */
  private static String source(String original, Decoded d, int from, int to) {
    return original.substring(d.text().sourceStart(from), d.text().sourceEnd(to));
  }

  @Test
  void unicodeEscapesMapEachCharacterToItsEscape() {
    String original = "key: \"" + unicodeEscapes("sk-ab") + "\"";

    Decoded d = EncodedRuns.decode(original).get(0);

    assertThat(d.encoding()).isEqualTo(Encoding.ESCAPES);
    assertThat(d.text().text()).isEqualTo("key: \"sk-ab\"");
    assertThat(source(original, d, 6, 7)).isEqualTo("\\u0073");
    assertThat(source(original, d, 7, 9)).isEqualTo("\\u006b\\u002d");
    assertThat(source(original, d, 0, 4)).isEqualTo("key:");
  }

  @Test
  void unicodeEscapesJoinSurrogatePairs() {
    String original = "\\ud83d\\ude00 x\\u0041";

    Decoded d = EncodedRuns.decode(original).get(0);

    assertThat(d.text().text()).isEqualTo("\uD83D\uDE00 xA");
    assertThat(source(original, d, 0, 1)).isEqualTo("\\ud83d");
    assertThat(source(original, d, 1, 2)).isEqualTo("\\ude00");
  }

  @Test
  void percentEncodingDecodesUtf8AndMapsEachByteToItsEscape() {
    String original = "q=" + percent("é@x") + "&y";

    Decoded d = EncodedRuns.decode(original).get(0);

    assertThat(d.text().text()).isEqualTo("q=é@x&y");
    assertThat(source(original, d, 2, 3)).isEqualTo("%C3%A9");
    assertThat(source(original, d, 3, 4)).isEqualTo("%40");
    assertThat(source(original, d, 5, 7)).isEqualTo("&y");
  }

  @Test
  void percentEncodingTwiceIsDecodedTwice() {
    String original = percent(percent("alice@example.com"));

    List<Decoded> decoded = EncodedRuns.decode(original);

    assertThat(texts(decoded)).containsExactly(percent("alice@example.com"), "alice@example.com");
    assertThat(decoded.get(1).depth()).isEqualTo(2);
    // the @ came from %40, whose three characters were each escaped again
    assertThat(source(original, decoded.get(1), 5, 6)).isEqualTo("%25%34%30");
  }

  @Test
  void base64MapsEachByteToItsGroup() {
    String encoded = base64("alice@example.com"); // 17 bytes: 5 groups of 3 and one of 2
    String original = "id " + encoded + " end";

    Decoded d = EncodedRuns.decode(original).get(0);

    assertThat(d.encoding()).isEqualTo(Encoding.BASE64);
    assertThat(d.text().text()).isEqualTo("alice@example.com");
    assertThat(source(original, d, 0, 1)).isEqualTo(encoded.substring(0, 4));
    assertThat(source(original, d, 5, 6)).as("@ is byte 5, in group 1").isEqualTo("Y2VA");
    assertThat(source(original, d, 15, 17)).as("the last group takes its padding").endsWith("=");
    assertThat(d.start()).isEqualTo(3);
    assertThat(d.end()).isEqualTo(3 + encoded.length());
  }

  @Test
  void base64UrlSafeAndUnpaddedDecode() {
    String text = "a?b>c~d|e>f?g>h~i";
    String urlSafe = Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes());

    assertThat(urlSafe).containsAnyOf("-", "_");
    assertThat(texts(EncodedRuns.decode("v=" + urlSafe))).containsExactly(text);
  }

  @Test
  void hexMapsEachByteToItsPair() {
    String encoded = hex("AKIAIOSFODNN7EXAMPLE");
    String original = "0x" + encoded;

    Decoded d = EncodedRuns.decode(original).get(0);

    assertThat(d.encoding()).isEqualTo(Encoding.HEX);
    assertThat(d.text().text()).isEqualTo("AKIAIOSFODNN7EXAMPLE");
    assertThat(source(original, d, 1, 2)).isEqualTo("4b");
    assertThat(d.start()).isEqualTo(2);
  }

  @Test
  void decodesToDepthThreeAndNoFurther() {
    String value = "alice@example.com";
    String three = base64(base64(base64(value)));
    String four = base64(three);

    assertThat(texts(EncodedRuns.decode(three))).last().isEqualTo(value);
    assertThat(texts(EncodedRuns.decode(four)))
        .hasSize(EncodedRuns.MAX_DEPTH)
        .doesNotContain(value);
  }

  @Test
  void randomKeysHashesAndImagesDecodeToNothing() {
    Random random = new Random(42);
    String b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    String hexDigits = "0123456789abcdef";
    for (int round = 0; round < 2000; round++) {
      StringBuilder key = new StringBuilder();
      StringBuilder hash = new StringBuilder();
      for (int k = 0; k < 20 + random.nextInt(60); k++) {
        key.append(b64.charAt(random.nextInt(64)));
      }
      for (int k = 0; k < 64; k++) {
        hash.append(hexDigits.charAt(random.nextInt(16)));
      }
      String text = "key " + key + " sha " + hash;
      assertThat(EncodedRuns.decode(text)).as("seed 42 round %d: %s", round, text).isEmpty();
      assertThat(ShadowText.isPlain(text)).as("seed 42 round %d: %s", round, text).isTrue();
    }
    String png =
        "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk";
    String gif = "R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7";
    String jpeg = "/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAAMCAgMCAgMDAwMEAwMEBQgFBQQEBQoHBwYIDAoM";
    for (String image : new String[] {png, gif, jpeg}) {
      assertThat(EncodedRuns.decode(image)).as(image).isEmpty();
      assertThat(ShadowText.isPlain(image)).as(image).isTrue();
    }
  }

  @Test
  void ordinaryUrlsAndIdentifiersDecodeOnlyTheirEscapes() {
    assertThat(texts(EncodedRuns.decode("see https://example.com/search?q=hello%20world now")))
        .containsExactly("see https://example.com/search?q=hello world");
    assertThat(EncodedRuns.decode("retrieve_deployment_configuration and ThisIsALongIdentifier"))
        .isEmpty();
  }

  @Test
  void mostlyPrintableMeansAtMostOneBadCharacterInSixteen() {
    String good = "The quick brown fox jumps over";
    String oneBadAtTheEnd = base64(good + "\u0001");
    String badAtTheStart = base64("\u0001" + good);

    assertThat(texts(EncodedRuns.decode(oneBadAtTheEnd))).containsExactly(good);
    assertThat(EncodedRuns.decode(badAtTheStart)).isEmpty();
  }

  @Test
  void aRunLongerThanAWindowIsDecodedWindowByWindow() {
    String line = "ok alice@example.com ok ";
    String text = line.repeat(EncodedRuns.MAX_RUN / line.length() + 10);
    String encoded = base64(text);

    List<Decoded> decoded = EncodedRuns.decode(encoded);

    assertThat(decoded).hasSizeGreaterThan(1);
    assertThat(decoded.get(0).end() - decoded.get(0).start()).isEqualTo(EncodedRuns.MAX_RUN);
    assertThat(String.join("", texts(decoded))).isEqualTo(text);
  }

  @Test
  void decodingStopsAtTheBudget() {
    String encoded = (percent("a") + " ").repeat(EncodedRuns.MAX_DECODED);

    int total = EncodedRuns.decode(encoded).stream().mapToInt(d -> d.text().length()).sum();

    assertThat(total).isLessThanOrEqualTo(EncodedRuns.MAX_DECODED);
  }

  @Test
  void toStringHidesTheDecodedText() {
    Decoded d = EncodedRuns.decode(base64("alice@example.com")).get(0);
    assertThat(d.toString()).doesNotContain("alice").contains("BASE64");
  }
}

package dev.sluice.pipeline.shadow;

import static org.assertj.core.api.Assertions.assertThat;

import java.text.Normalizer;
import java.util.Base64;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ShadowTextTest {

  /** The original text each character of {@code view} came from, in order. */
  private static String sources(String original, MappedText view) {
    StringBuilder out = new StringBuilder();
    for (int k = 0; k < view.length(); k++) {
      out.append('[').append(original, view.sourceStart(k), view.sourceEnd(k + 1)).append(']');
    }
    return out.toString();
  }

  @Test
  void theFoldedCopyMapsEveryCharacterToTheOriginalItCameFrom() {
    // full-width 4, ZWSP, Arabic-Indic 1, NBSP, en dash, soft hyphen, the ligature ﬁ, a plain x
    String original = "\uFF14\u200B\u0661\u00A0\u2013\u00ADa\uFB01x";

    ShadowText shadow = ShadowText.of(original);

    assertThat(shadow.text()).isEqualTo("41 -afix");
    MappedText folded = shadow.folded();
    assertThat(folded.sourceStart(0)).isEqualTo(0);
    assertThat(folded.sourceEnd(1)).isEqualTo(1);
    assertThat(folded.sourceStart(1)).as("the 1 comes after the removed ZWSP").isEqualTo(2);
    assertThat(folded.sourceStart(5)).as("f").isEqualTo(7);
    assertThat(folded.sourceEnd(7)).as("i, the same ligature").isEqualTo(8);
    assertThat(sources(original, folded))
        .isEqualTo("[\uFF14][\u0661][\u00A0][\u2013][a][\uFB01][\uFB01][x]");
    // a match over "1 -a" in the shadow covers the soft hyphen between - and a in the original
    assertThat(original.substring(folded.sourceStart(1), folded.sourceEnd(5)))
        .isEqualTo("\u0661\u00A0\u2013\u00ADa");
    // the ZWSP stood between two digits: the separated copies read it as '.' and ' '
    assertThat(shadow.views()).containsExactly(folded);
    assertThat(shadow.separated())
        .extracting(MappedText::text)
        .containsExactly("4.1 -afix", "4 1 -afix");
  }

  @Test
  void mapsAreMonotoneAndInsideTheOriginal() {
    Random random = new Random(20261202L);
    String alphabet = "ab1 @.-\u200B\u00AD\uFF11\u0661\u00A0\u2014\uFB01\u00E9\u4E2D\uD83D\uDE00";
    for (int round = 0; round < 2000; round++) {
      StringBuilder sb = new StringBuilder();
      int len = random.nextInt(40);
      for (int k = 0; k < len; k++) {
        int pick = random.nextInt(alphabet.length());
        char c = alphabet.charAt(pick);
        if (Character.isHighSurrogate(c)) {
          sb.append(c).append(alphabet.charAt(pick + 1));
        } else if (!Character.isLowSurrogate(c)) {
          sb.append(c);
        }
      }
      String original = sb.toString();
      MappedText folded = ShadowText.of(original).folded();
      int lastStart = 0;
      int lastEnd = 0;
      for (int k = 0; k < folded.length(); k++) {
        int start = folded.sourceStart(k);
        int end = folded.sourceEnd(k + 1);
        String where = "seed 20261202 round " + round + " char " + k;
        assertThat(start).as(where).isBetween(lastStart, end - 1);
        assertThat(end).as(where).isBetween(lastEnd, original.length());
        lastStart = start;
        lastEnd = end;
      }
    }
  }

  @Test
  void foldsEveryUnicodeDecimalDigit() {
    String arabicIndic = "\u0664\u0661\u0665";
    String devanagari = "\u096A\u0967\u096B";
    String fullWidth = "\uFF14\uFF11\uFF15";
    String mathematical = "\uD835\uDFD2\uD835\uDFCF\uD835\uDFD3";

    for (String digits : new String[] {arabicIndic, devanagari, fullWidth, mathematical}) {
      assertThat(ShadowText.of(digits).text()).as(digits).isEqualTo("415");
    }
  }

  @Test
  void foldsSpacesAndDashesAndRemovesFormatCharacters() {
    assertThat(ShadowText.of("a\u00A0b\u2009c\u3000d\u202Fe").text()).isEqualTo("a b c d e");
    assertThat(
            ShadowText.of("1\u20102\u20113\u20124\u20135\u20146\u20157\u22128\uFE589\uFE630\uFF0D")
                .text())
        .isEqualTo("1-2-3-4-5-6-7-8-9-0-");
    assertThat(
            ShadowText.of("a\u200Bb\u200Cc\u200Dd\u2060e\uFEFFf\u00ADg\u202Eh\u2066i\u034Fj")
                .text())
        .isEqualTo("abcdefghij");
    assertThat(ShadowText.of("line\u2028next").text()).isEqualTo("line\nnext");
  }

  @Test
  void carriersAreRemovedAndWhatTheyHideIsRevealedAtTheirCharacters() {
    String hidden = dev.sluice.pipeline.HiddenPayloads.tags("AKIA");
    String original = "see " + hidden + " here";

    ShadowText shadow = ShadowText.of(original);

    assertThat(shadow.text()).isEqualTo("see  here");
    assertThat(shadow.revealed()).singleElement().extracting(MappedText::text).isEqualTo("AKIA");
    MappedText revealed = shadow.revealed().get(0);
    assertThat(revealed.sourceStart(1)).as("K is the second tag character").isEqualTo(4 + 2);
    assertThat(revealed.sourceEnd(2)).isEqualTo(4 + 4);
    assertThat(original.substring(revealed.sourceStart(0), revealed.sourceEnd(4)))
        .isEqualTo(hidden);
  }

  @Test
  void selectorRevealedCharactersSpanTheirUtf8Bytes() {
    String original = "x" + dev.sluice.pipeline.HiddenPayloads.selectors("é@");

    MappedText revealed = ShadowText.of(original).revealed().get(0);

    assertThat(revealed.text()).isEqualTo("é@");
    // é is two bytes, two selectors of two UTF-16 units each (U+E0100 block)
    assertThat(revealed.sourceStart(0)).isEqualTo(1);
    assertThat(revealed.sourceEnd(1)).isEqualTo(5);
    assertThat(revealed.sourceEnd(2)).isEqualTo(original.length());
  }

  @Test
  void anInvisibleSeparatorGivesADottedAndASpacedCopy() {
    String original = "ab\u200Bcd";

    ShadowText shadow = ShadowText.of(original);

    assertThat(shadow.views()).extracting(MappedText::text).containsExactly("abcd");
    assertThat(shadow.separated()).extracting(MappedText::text).containsExactly("ab.cd", "ab cd");
    MappedText dotted = shadow.separated().get(0);
    assertThat(original.substring(dotted.sourceStart(2), dotted.sourceEnd(3))).isEqualTo("\u200B");
  }

  @Test
  void decodedRunsAreFoldedAndMappedToTheOriginal() {
    String encoded = Base64.getEncoder().encodeToString("mail a\u200Bb@c.de".getBytes());
    String original = "x " + encoded;

    ShadowText shadow = ShadowText.of(original);

    assertThat(shadow.decoded())
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.encoding()).isEqualTo(EncodedRuns.Encoding.BASE64);
              assertThat(d.start()).isEqualTo(2);
              assertThat(d.end()).isEqualTo(original.length());
            });
    assertThat(shadow.views()).extracting(MappedText::text).containsExactly("mail ab@c.de");
    assertThat(shadow.separated())
        .extracting(MappedText::text)
        .containsExactly("mail a.b@c.de", "mail a b@c.de");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "Le café coûte 3,50 € ; l’addition, s’il vous plaît !",
        "Prix\u00A0: 12\u00A0€ — «\u00A0très\u00A0bien\u00A0»",
        "Die Straße heißt Müllerstraße, Größe 42.",
        "我们明天在北京见面，请带上文件。",
        "Great work \u2764\uFE0F see you \uD83D\uDC4D\uD83C\uDFFD!",
        "Family \uD83D\uDC68\u200D\uD83D\uDC69\u200D\uD83D\uDC67 trip",
        "Go \uD83C\uDFF4\uDB40\uDC67\uDB40\uDC62\uDB40\uDC65\uDB40\uDC6E\uDB40\uDC67\uDB40\uDC7F!"
      })
  void ordinaryProseDecodesNothing(String prose) {
    ShadowText shadow = ShadowText.of(prose);

    assertThat(shadow.decoded()).isEmpty();
    assertThat(shadow.revealed()).isEmpty();
  }

  @Test
  void emojiSequencesAloneDoNotChangeTheShadow() {
    assertThat(ShadowText.of("Great work \u2764\uFE0F see you").changed()).isFalse();
    assertThat(ShadowText.of("Family \uD83D\uDC68\u200D\uD83D\uDC69 trip").changed()).isFalse();
    assertThat(ShadowText.of("我们明天在北京见面").changed()).isFalse();
  }

  @Test
  void plainAsciiTakesTheFastPath() {
    String answer =
        "Sure! Run the migration with the usual flags; costs went from $1,250 to $980 (21% less)."
            + " Use sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z and AKIAQ3EXAMPLE7ABCDEF, commit"
            + " 3f786850e387550fdab836ed7e6dc881de23001b, id 550e8400-e29b-41d4-a716-446655440000,"
            + " path src/main/java/dev/sluice/pipeline, internationalization_configuration.";

    assertThat(ShadowText.isPlain(answer)).isTrue();
    ShadowText shadow = ShadowText.of(answer);
    assertThat(shadow.changed()).isFalse();
    assertThat(shadow.text()).isSameAs(answer);
  }

  /** The fast path's definition, written plainly: what isPlain must agree with. */
  private static boolean plainByDefinition(String s) {
    int runStart = 0;
    for (int i = 0; i <= s.length(); i++) {
      if (i < s.length() && s.charAt(i) >= 128) {
        return false;
      }
      if (i < s.length() && EncodedRuns.isEscapeAt(s, i)) {
        return false;
      }
      if (i == s.length() || !EncodedRuns.isRunChar(s.charAt(i))) {
        if (i - runStart >= EncodedRuns.MIN_RUN && EncodedRuns.mayDecode(s, runStart, i)) {
          return false;
        }
        runStart = i + 1;
      }
    }
    return true;
  }

  @Test
  void theFastPathAgreesWithItsDefinition() {
    long seed = 1202L;
    Random random = new Random(seed);
    String[] pieces = {
      "a",
      "Z",
      "9",
      "+",
      "/",
      "-",
      "_",
      "=",
      " ",
      " ",
      "\n",
      ".",
      ",",
      "(",
      ")",
      "'",
      "%",
      "%4",
      "%41",
      "\\u00",
      "\\u0041",
      "é",
      "\u200B",
      "alice",
      "YWxpY2VAZXhhbXBsZS5jb20",
      "616c696365406578616d706c652e636f6d",
      "internationalization",
      "sk-proj-Ab3dEf6hIj9kLm2n"
    };
    for (int round = 0; round < 20_000; round++) {
      StringBuilder sb = new StringBuilder();
      int parts = random.nextInt(30);
      for (int k = 0; k < parts; k++) {
        sb.append(pieces[random.nextInt(pieces.length)]);
      }
      String text = sb.toString();
      assertThat(ShadowText.isPlain(text))
          .as("seed %d round %d: %s", seed, round, text)
          .isEqualTo(plainByDefinition(text));
    }
  }

  @Test
  void theEightByteTestFindsExactlyTheBytesBelowPlus() {
    Random random = new Random(7L);
    for (int round = 0; round < 20_000; round++) {
      byte[] bytes = new byte[8];
      boolean below = false;
      for (int k = 0; k < 8; k++) {
        bytes[k] =
            (byte)
                (random.nextBoolean() ? 0x2B + random.nextInt(0x80 - 0x2B) : random.nextInt(0x80));
        below |= k < 7 && bytes[k] < '+';
      }
      assertThat(ShadowText.hasByteBelowPlus(bytes, 0))
          .as("seed 7 round %d: %s", round, java.util.Arrays.toString(bytes))
          .isEqualTo(below);
    }
  }

  @Test
  void escapesAndDecodableRunsLeaveTheFastPath() {
    assertThat(ShadowText.isPlain("a %41 b")).isFalse();
    assertThat(ShadowText.isPlain("a \\u0041 b")).isFalse();
    assertThat(ShadowText.isPlain("a YWxpY2VAZXhhbXBsZS5jb20= b")).isFalse();
    assertThat(ShadowText.isPlain("a 616c69636540657861 b")).isFalse();
    assertThat(ShadowText.isPlain("a é b")).isFalse();
    assertThat(ShadowText.isPlain("50% off, 100%")).isTrue();
  }

  @Test
  void whatIsTakenAsInertIsWhatNfkcLeavesAlone() {
    for (int cp = 0x80; cp <= Character.MAX_CODE_POINT; cp++) {
      if (ShadowText.isInert(cp)) {
        String one = new String(Character.toChars(cp));
        assertThat(Normalizer.normalize(one, Normalizer.Form.NFKC)).as("U+%04X", cp).isEqualTo(one);
      }
    }
  }

  @Test
  void whatTheFoldSettlesItselfItSettlesAsNfkcWould() {
    // digits, spaces and dashes whose NFKC form differs: the fold writes the same either way
    String[] samples = {"\uFF14", "\uD835\uDFD2", "\u00A0", "\u3000", "\u2011", "\uFE58"};
    for (String sample : samples) {
      String viaNfkc = Normalizer.normalize(sample, Normalizer.Form.NFKC);
      assertThat(ShadowText.of(sample).text()).as(sample).isEqualTo(ShadowText.of(viaNfkc).text());
    }
  }

  @Test
  void toStringHidesTheText() {
    ShadowText shadow = ShadowText.of("secret\u200Bvalue");
    assertThat(shadow.toString()).doesNotContain("secret").doesNotContain("value");
    assertThat(shadow.folded().toString()).doesNotContain("secret");
  }
}

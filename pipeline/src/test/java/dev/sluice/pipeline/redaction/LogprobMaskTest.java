package dev.sluice.pipeline.redaction;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.schemas.reply.TokenLogprob;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LogprobMaskTest {
  private static final Redactor REDACTOR = Redactor.create();

  /** Tokens as OpenAI sends them: text, bytes, and alternatives that could spell the value. */
  private static TokenLogprob token(String text) {
    List<Integer> bytes = new ArrayList<>();
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      bytes.add(b & 0xff);
    }
    return new TokenLogprob(
        text, -0.5, bytes, List.of(new TokenLogprob(text + "x", -2.0, bytes, null)));
  }

  private static List<TokenLogprob> tokens(String... texts) {
    List<TokenLogprob> tokens = new ArrayList<>();
    for (String text : texts) {
      tokens.add(token(text));
    }
    return tokens;
  }

  @Test
  void tokensOverARedactedSpanBecomeItsMarkerAndLoseBytesAndAlternatives() {
    String text = "mail jane.doe@example.com now";
    List<TokenLogprob> tokens = tokens("mail", " jane", ".", "doe", "@", "example", ".com", " now");

    List<TokenLogprob> masked = LogprobMask.mask(tokens, text, REDACTOR.redact(text));

    assertThat(masked)
        .extracting(TokenLogprob::token)
        .containsExactly("mail", "[REDACTED:EMAIL]", "", "", "", "", "", " now");
    assertThat(masked.get(0)).isEqualTo(tokens.get(0));
    for (TokenLogprob hidden : masked.subList(1, 7)) {
      assertThat(hidden.bytes()).isNull();
      assertThat(hidden.topLogprobs()).isEmpty();
      assertThat(hidden.logprob()).isEqualTo(-0.5);
    }
    assertThat(masked.get(7)).isEqualTo(tokens.get(7));
  }

  @Test
  void tokensHoldingPartsOfACharacterAreAlignedByTheirBytes() {
    // An emoji split over two tokens, as OpenAI sends it: the token texts are not the text, the
    // bytes are.
    String text = "\uD83D\uDE00 jane.doe@example.com";
    byte[] emoji = "\uD83D\uDE00".getBytes(StandardCharsets.UTF_8);
    List<TokenLogprob> tokens = new ArrayList<>();
    tokens.add(
        new TokenLogprob("\\xf0\\x9f", -1, List.of(emoji[0] & 0xff, emoji[1] & 0xff), List.of()));
    tokens.add(
        new TokenLogprob("\\x98\\x80", -1, List.of(emoji[2] & 0xff, emoji[3] & 0xff), List.of()));
    tokens.addAll(tokens(" jane.doe", "@example.com"));

    List<TokenLogprob> masked = LogprobMask.mask(tokens, text, REDACTOR.redact(text));

    assertThat(masked)
        .extracting(TokenLogprob::token)
        .containsExactly("\\xf0\\x9f", "\\x98\\x80", "[REDACTED:EMAIL]", "");
  }

  @Test
  void tokensThatDoNotSpellTheTextAreWithheldRedactedOrNot() {
    String text = "mail jane.doe@example.com";
    assertThat(LogprobMask.mask(tokens("mail", " someone", " else"), text, REDACTOR.redact(text)))
        .isNull();
    // Hidden reasoning the content does not show, with nothing redacted in the content.
    assertThat(
            LogprobMask.mask(
                tokens("<think>", "jane.doe@example.com", "</think>", "ok"),
                "ok",
                REDACTOR.redact("ok")))
        .isNull();
    // The same number of bytes, shifted: not the text either.
    assertThat(
            LogprobMask.mask(
                tokens("mail jane.doe@example.co", "m"), "mail jane.doe@example.cm ", null))
        .isNull();
    // Tokens with no text to spell (a tool call's arguments, a refusal the message lacks).
    assertThat(LogprobMask.mask(tokens("{\"to\": \"", "jane.doe@example.com"), null, null))
        .isNull();
    assertThat(LogprobMask.mask(List.of(), null, null)).isEmpty();
    // Tokens that spell the text and nothing to hide: as they are.
    List<TokenLogprob> plain = tokens("pl", "ain");
    assertThat(LogprobMask.mask(plain, "plain", REDACTOR.redact("plain"))).isSameAs(plain);
  }

  @Test
  void aTokenOverTwoSpansCarriesBothMarkers() {
    String text = "ann@example.com,bob@example.org";
    List<TokenLogprob> tokens = tokens("ann@example.com,bob@example.org");
    List<TokenLogprob> masked = LogprobMask.mask(tokens, text, REDACTOR.redact(text));
    assertThat(masked)
        .extracting(TokenLogprob::token)
        .containsExactly("[REDACTED:EMAIL][REDACTED:EMAIL]");
  }
}

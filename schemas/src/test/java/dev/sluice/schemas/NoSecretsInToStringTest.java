package dev.sluice.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.schemas.chat.ChatMessage;
import dev.sluice.schemas.chat.ContentPart;
import dev.sluice.schemas.chat.RagChunk;
import dev.sluice.schemas.envelope.RequestEnvelope;
import dev.sluice.schemas.envelope.VerifiedRequest;
import dev.sluice.schemas.reply.ChatCompletion;
import dev.sluice.schemas.reply.Choice;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Anything a log line may print hides prompts, chunks, completions, credentials and reply nonces.
 */
class NoSecretsInToStringTest {

  static Stream<Object> valuesHoldingSecrets() {
    RequestEnvelope envelope = Fixtures.requestEnvelope(Fixtures.fullChatRequestJson());
    VerifiedRequest verified = Fixtures.verifiedRequest();
    ChatCompletion completion = Fixtures.completion();
    return Stream.of(
        envelope,
        verified,
        verified.request(),
        verified.request().context(),
        ChatMessage.of("user", Fixtures.PROMPT),
        Fixtures.partsMessage(),
        ContentPart.text(Fixtures.PROMPT),
        new RagChunk("c1", Fixtures.CHUNK_TEXT, "kb"),
        completion,
        new Choice(0, ChatMessage.of("assistant", Fixtures.ANSWER), "stop"),
        Fixtures.completedReply(),
        Fixtures.NONCE,
        envelope.replyTo(),
        List.of(envelope, verified, completion));
  }

  @ParameterizedTest
  @MethodSource("valuesHoldingSecrets")
  void toStringHidesThem(Object value) {
    assertThat(value.toString())
        .doesNotContain(Fixtures.CREDENTIAL)
        .doesNotContain("SECRET-SIGNATURE")
        .doesNotContain("PROMPT-TEXT")
        .doesNotContain("4111")
        .doesNotContain("CHUNK-TEXT")
        .doesNotContain("NONCE-VALUE")
        .doesNotContain("ANSWER-TEXT");
  }

  @ParameterizedTest
  @MethodSource("valuesHoldingSecrets")
  void toStringStillSaysWhatItIs(Object value) {
    // Hiding must not make log lines useless: the type (or list) is still named.
    assertThat(value.toString()).isNotBlank().doesNotContain("@");
  }

  @Test
  void toStringKeepsTheIdentifiersOperatorsNeed() {
    assertThat(Fixtures.requestEnvelope(Fixtures.fullChatRequestJson()).toString())
        .contains(Fixtures.REQUEST_ID)
        .contains(Fixtures.TENANT)
        .contains("credential=***");
    assertThat(Fixtures.verifiedRequest().toString())
        .contains(Fixtures.REQUEST_ID)
        .contains("gpt-4o-mini");
  }
}

package dev.sluice.schemas.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonMappingException;
import dev.sluice.schemas.ContractSchemas;
import dev.sluice.schemas.Fixtures;
import dev.sluice.schemas.Json;
import dev.sluice.schemas.JsonCodec;
import dev.sluice.schemas.UnreadableMessageException;
import dev.sluice.schemas.reply.ReplyEnvelope;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ReplyNonceTest {

  @Test
  void aFreshNonceCarries128RandomBitsInBase64Url() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 1_000; i++) {
      ReplyNonce nonce = ReplyNonce.random();
      // 16 bytes are 22 base64url characters without padding.
      assertThat(nonce.value()).hasSize(22).matches("[A-Za-z0-9_-]+");
      seen.add(nonce.value());
    }
    assertThat(seen).hasSize(1_000);
  }

  @Test
  void matchesOnlyItself() {
    ReplyNonce nonce = ReplyNonce.random();
    assertThat(nonce.matches(new ReplyNonce(nonce.value()))).isTrue();
    assertThat(nonce.matches(ReplyNonce.random())).isFalse();
    assertThat(nonce.matches(new ReplyNonce(nonce.value() + "x"))).isFalse();
    assertThat(nonce.matches(null)).isFalse();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "short",
        "twenty-one-characters",
        "has space in it 0123456",
        "é123456789012345678901"
      })
  void refusesAGuessableOrMalformedValue(String value) {
    assertThatThrownBy(() -> new ReplyNonce(value)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void isAPlainStringOnTheWire() throws Exception {
    ReplyTo replyTo = new ReplyTo("llm.replies", 1, Fixtures.NONCE);
    String wire = Json.mapper().writeValueAsString(replyTo);
    assertThat(wire)
        .isEqualTo(
            "{\"topic\":\"llm.replies\",\"partition\":1,\"nonce\":\""
                + Fixtures.NONCE.value()
                + "\"}");
    assertThat(Json.mapper().readValue(wire, ReplyTo.class)).isEqualTo(replyTo);
    // Without one, nothing is written and nothing is read back.
    ReplyTo unbound = new ReplyTo("llm.replies", 1);
    assertThat(Json.mapper().writeValueAsString(unbound))
        .isEqualTo("{\"topic\":\"llm.replies\",\"partition\":1}");
    assertThat(
            Json.mapper().readValue("{\"topic\":\"llm.replies\",\"partition\":1}", ReplyTo.class))
        .isEqualTo(unbound);
  }

  @Test
  void aReplyCarriesItAndReadsItBack() {
    JsonCodec<ReplyEnvelope> codec = JsonCodec.of(ReplyEnvelope.class);
    ReplyEnvelope reply = Fixtures.completedReply();
    byte[] bytes = codec.toBytes(reply);
    assertThat(new String(bytes, StandardCharsets.UTF_8))
        .contains("\"nonce\":\"" + Fixtures.NONCE.value() + "\"");
    assertThat(codec.fromBytes(bytes).nonce()).isEqualTo(Fixtures.NONCE);
    assertThat(reply.withNonce(null).nonce()).isNull();
  }

  @Test
  void aMessageWithAMalformedNonceIsUnreadable() {
    String wire = "{\"topic\":\"llm.replies\",\"partition\":1,\"nonce\":\"guessable\"}";
    assertThatThrownBy(() -> Json.mapper().readValue(wire, ReplyTo.class))
        .isInstanceOf(JsonMappingException.class);
    JsonCodec<ReplyEnvelope> codec = JsonCodec.of(ReplyEnvelope.class);
    String reply =
        "{\"schemaVersion\":1,\"requestId\":\"r1\",\"outcome\":\"denied\",\"status\":401,"
            + "\"error\":{\"message\":\"m\",\"type\":\"authentication_error\",\"code\":\"invalid_token\"},"
            + "\"nonce\":\"guessable\"}";
    assertThatThrownBy(() -> codec.fromBytes(reply.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(UnreadableMessageException.class);
  }

  @Test
  void theSchemasAcceptWhatTheGatewayDrawsAndRefuseAShortOne() {
    for (int i = 0; i < 100; i++) {
      String nonce = ReplyNonce.random().value();
      assertThat(nonce)
          .matches(
              pattern(ContractSchemas.REQUEST_ENVELOPE, "/properties/replyTo/properties/nonce"));
      assertThat(nonce).matches(pattern(ContractSchemas.REPLY_ENVELOPE, "/properties/nonce"));
    }
    assertThat("short").doesNotMatch(pattern(ContractSchemas.REPLY_ENVELOPE, "/properties/nonce"));
  }

  private static String pattern(String schema, String pointer) {
    return ContractSchemas.tree(schema).at(pointer + "/pattern").asText();
  }
}

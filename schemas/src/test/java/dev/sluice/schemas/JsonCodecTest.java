package dev.sluice.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.schemas.audit.AuditRecord;
import dev.sluice.schemas.chat.ChatMessage;
import dev.sluice.schemas.envelope.RequestEnvelope;
import dev.sluice.schemas.reply.ReplyEnvelope;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Contracts on the wire: what is unreadable says so without quoting it. */
class JsonCodecTest {
  private static final String SECRET = "sk-live-SECRET-4111111111111111";

  private final JsonCodec<RequestEnvelope> envelopes = JsonCodec.of(RequestEnvelope.class);

  @ParameterizedTest
  @ValueSource(
      strings = {
        "sk-live-SECRET-4111111111111111",
        "{\"credential\": \"sk-live-SECRET-4111111111111111\"",
        "{\"credential\": \"sk-live-SECRET-4111111111111111\"} trailing",
        "[\"sk-live-SECRET-4111111111111111\"]",
        "\"sk-live-SECRET-4111111111111111\"",
        "{\"schemaVersion\": \"sk-live-SECRET-4111111111111111\"}",
        "{\"replyTo\": {\"topic\": \"t\", \"partition\": \"sk-live-SECRET-4111111111111111\"}}",
        "{\"replyTo\": {\"topic\": \"sk-live-SECRET-4111111111111111\", \"partition\": -1}}"
      })
  void garbageIsUnreadableWithoutQuotingTheInput(String garbage) {
    byte[] bytes = garbage.getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> envelopes.fromBytes(bytes))
        .isInstanceOf(UnreadableMessageException.class)
        .hasMessageContaining("RequestEnvelope")
        .hasMessageNotContaining("sk-live")
        .hasMessageNotContaining("4111")
        .satisfies(e -> assertThat(e.toString()).doesNotContain(SECRET))
        .satisfies(e -> assertThat(e.getCause()).isNull());
  }

  @Test
  void bytesThatAreNotUtf8Json() {
    byte[] bytes = {(byte) 0xff, (byte) 0xfe, 0x00, 0x41, (byte) 0xc3};
    assertThatThrownBy(() -> envelopes.fromBytes(bytes))
        .isInstanceOf(UnreadableMessageException.class);
  }

  @Test
  void aReplyViolatingItsInvariantIsUnreadable() {
    // A reply with neither a completion nor an error fails the record's constructor.
    String wire = "{\"schemaVersion\":1,\"requestId\":\"r\",\"outcome\":\"failed\",\"status\":502}";
    assertThatThrownBy(
            () ->
                JsonCodec.of(ReplyEnvelope.class).fromBytes(wire.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(UnreadableMessageException.class)
        .hasMessageContaining("ReplyEnvelope");
  }

  @Test
  void anInvalidMessageDoesNotQuoteIt() {
    String wire = "{\"role\":\"user\",\"content\":[{\"type\":\"" + SECRET + "\"}]}";
    assertThatThrownBy(
            () -> JsonCodec.of(ChatMessage.class).fromBytes(wire.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(UnreadableMessageException.class)
        .hasMessageNotContaining("sk-live");
  }

  @Test
  void deepNestingIsUnreadableNotAStackOverflow() {
    String hostile =
        "{\"schemaVersion\":1,\"request\":" + "[".repeat(10_000) + "]".repeat(10_000) + "}";
    assertThatThrownBy(() -> envelopes.fromBytes(hostile.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(UnreadableMessageException.class)
        .hasMessage("not a valid RequestEnvelope (JsonMappingException)");
  }

  @Test
  void nullIsATombstoneBothWays() {
    assertThat(envelopes.toBytes(null)).isNull();
    assertThat(envelopes.fromBytes(null)).isNull();
  }

  @Test
  void writesUtf8() {
    AuditRecord record = Fixtures.auditChain().get(0);
    AuditRecord withUnicode =
        new AuditRecord(
            record.schemaVersion(),
            record.requestId(),
            "société-ü-日本",
            record.subject(),
            record.timeMs(),
            record.model(),
            record.source(),
            record.decision(),
            record.firewallRisk(),
            record.firewallCues(),
            record.rateLimit(),
            record.provider(),
            record.attempts(),
            record.latencyMs(),
            record.usage(),
            record.redactions(),
            record.promptSha256(),
            record.chainId(),
            record.prevHash(),
            record.hash());
    JsonCodec<AuditRecord> serde = JsonCodec.of(AuditRecord.class);
    byte[] bytes = serde.toBytes(withUnicode);
    assertThat(new String(bytes, StandardCharsets.UTF_8)).contains("société-ü-日本");
    assertThat(serde.fromBytes(bytes)).isEqualTo(withUnicode);
  }
}

package dev.sluice.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.schemas.audit.AuditRecord;
import dev.sluice.schemas.chat.ChatMessage;
import dev.sluice.schemas.chat.FunctionDefinition;
import dev.sluice.schemas.envelope.RequestEnvelope;
import dev.sluice.schemas.reply.ReplyEnvelope;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
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

  /** A valid envelope with one field replaced by raw JSON text. */
  private static String envelopeWith(String field, String rawJson) {
    ObjectNode wire =
        (ObjectNode) Fixtures.toTree(Fixtures.requestEnvelope(Fixtures.fullChatRequestJson()));
    try {
      wire.set(field, Json.mapper().readTree(rawJson));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return wire.toString();
  }

  @Test
  void theUntouchedEnvelopeIsReadable() {
    RequestEnvelope read =
        envelopes.fromBytes(envelopeWith("schemaVersion", "1").getBytes(StandardCharsets.UTF_8));
    assertThat(read.schemaVersion()).isEqualTo(RequestEnvelope.VERSION);
    assertThat(read.replyTo().partition()).isEqualTo(3);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "schemaVersion | \"1\"",
        "schemaVersion | 1.0",
        "schemaVersion | 1.9",
        "schemaVersion | true",
        "schemaVersion | null",
        "schemaVersion | \"\"",
        "schemaVersion | [1]",
        "requestId | 42",
        "requestId | true",
        "requestId | 1.5",
        "tenant | 7",
        "credential | false",
        "replyTo | \"\"",
        "replyTo | {\"topic\": \"llm.replies\", \"partition\": \"3\"}",
        "replyTo | {\"topic\": \"llm.replies\", \"partition\": 3.0}",
        "replyTo | {\"topic\": \"llm.replies\", \"partition\": null}",
        "replyTo | {\"topic\": 5, \"partition\": 3}",
        "batchId | 17"
      })
  void aScalarOfTheWrongTypeIsUnreadableNotCoerced(String field, String value) {
    byte[] bytes = envelopeWith(field, value).getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> envelopes.fromBytes(bytes))
        .isInstanceOf(UnreadableMessageException.class)
        .hasMessageStartingWith("not a valid RequestEnvelope");
  }

  @Test
  void enumsAreReadByNameOnlyAndBooleansAreBooleans() {
    JsonCodec<AuditRecord> audit = JsonCodec.of(AuditRecord.class);
    ObjectNode wire = (ObjectNode) Fixtures.toTree(Fixtures.auditChain().get(0));
    assertThat(audit.fromBytes(wire.toString().getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(Fixtures.auditChain().get(0));

    wire.put("source", 0); // the ordinal of http
    assertThatThrownBy(() -> audit.fromBytes(wire.toString().getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(UnreadableMessageException.class);
    wire.put("source", "http");
    wire.put("timeMs", "1718000001250");
    assertThatThrownBy(() -> audit.fromBytes(wire.toString().getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(UnreadableMessageException.class);

    JsonCodec<FunctionDefinition> functions = JsonCodec.of(FunctionDefinition.class);
    assertThat(functions.fromBytes(utf8("{\"name\":\"f\",\"strict\":true}")).strict()).isTrue();
    assertThatThrownBy(() -> functions.fromBytes(utf8("{\"name\":\"f\",\"strict\":1}")))
        .isInstanceOf(UnreadableMessageException.class);
    assertThatThrownBy(() -> functions.fromBytes(utf8("{\"name\":\"f\",\"strict\":\"true\"}")))
        .isInstanceOf(UnreadableMessageException.class);
  }

  @Test
  void anIntegerIsANumberWhereAFractionIsExpected() {
    // JSON has one number type: 1 is a valid way to write 1.0.
    ObjectNode wire = (ObjectNode) Fixtures.toTree(Fixtures.auditChain().get(0));
    wire.put("firewallRisk", 1);
    AuditRecord read = JsonCodec.of(AuditRecord.class).fromBytes(utf8(wire.toString()));
    assertThat(read.firewallRisk()).isEqualTo(1.0);
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
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
            record.firewallHiddenChars(),
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

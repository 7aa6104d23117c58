package dev.sluice.schemas;

import static dev.sluice.schemas.Fixtures.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.schemas.audit.AuditDecision;
import dev.sluice.schemas.audit.AuditRecord;
import dev.sluice.schemas.chat.ChatMessage;
import dev.sluice.schemas.chat.ChatRequest;
import dev.sluice.schemas.chat.ContentPart;
import dev.sluice.schemas.chat.RagChunk;
import dev.sluice.schemas.chat.RagContext;
import dev.sluice.schemas.envelope.ReplyTo;
import dev.sluice.schemas.envelope.RequestEnvelope;
import dev.sluice.schemas.envelope.Source;
import dev.sluice.schemas.envelope.VerifiedRequest;
import dev.sluice.schemas.reply.ChatCompletion;
import dev.sluice.schemas.reply.Choice;
import dev.sluice.schemas.reply.Citation;
import dev.sluice.schemas.reply.ErrorResponse;
import dev.sluice.schemas.reply.GatewayError;
import dev.sluice.schemas.reply.Meta;
import dev.sluice.schemas.reply.Outcome;
import dev.sluice.schemas.reply.ReplyEnvelope;
import dev.sluice.schemas.reply.Usage;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** What is written is read back equal: serialise, deserialise, compare. */
class RoundTripTest {

  @SuppressWarnings("unchecked")
  private static <T> T roundTrip(T value) {
    JsonCodec<T> serde = JsonCodec.of((Class<T>) value.getClass());
    return serde.fromBytes(serde.toBytes(value));
  }

  @Test
  void requestEnvelope() {
    RequestEnvelope envelope = Fixtures.requestEnvelope(Fixtures.fullChatRequestJson());
    assertThat(roundTrip(envelope)).isEqualTo(envelope);
  }

  @Test
  void requestEnvelopeWithOnlyRequiredFields() {
    RequestEnvelope envelope =
        new RequestEnvelope(
            1,
            Fixtures.REQUEST_ID,
            "acme",
            Fixtures.CREDENTIAL,
            new ReplyTo("llm.replies", 0),
            null,
            null,
            null,
            null,
            json("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"));
    assertThat(roundTrip(envelope)).isEqualTo(envelope);
  }

  @Test
  void requestEnvelopeKeepsTheRequestJsonAsWritten() {
    // Unknown OpenAI fields, numbers and key order survive: the request stays raw until validated.
    JsonNode request =
        json(
            "{\"model\":\"m\",\"seed\":12345678901234567890,\"temperature\":0.1,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"tools\":[]}");
    RequestEnvelope back = roundTrip(Fixtures.requestEnvelope(request));
    assertThat(back.request()).isEqualTo(request);
    assertThat(back.request().toString()).isEqualTo(request.toString());
  }

  static Stream<ReplyEnvelope> errorReplies() {
    return Stream.of(
        Fixtures.deniedReply(),
        Fixtures.rateLimitedReply(),
        Fixtures.failedReply(),
        Fixtures.invalidRequestReply());
  }

  @ParameterizedTest
  @MethodSource("errorReplies")
  void errorReply(ReplyEnvelope reply) {
    assertThat(roundTrip(reply)).isEqualTo(reply);
  }

  @Test
  void replyWithoutMapsReadsBackWithEmptyMaps() {
    ReplyEnvelope reply = Fixtures.failedReply();
    assertThat(reply.redactions()).isEmpty();
    assertThat(roundTrip(reply)).isEqualTo(reply);
  }

  @Test
  void auditRecords() {
    for (AuditRecord record : Fixtures.auditChain()) {
      assertThat(roundTrip(record)).isEqualTo(record);
    }
  }

  @Test
  void auditRecordWithOnlyChainFields() {
    AuditRecord record =
        new AuditRecord(
            1,
            Fixtures.REQUEST_ID,
            "acme",
            null,
            0L,
            null,
            Source.BATCH,
            new AuditDecision(
                Outcome.FAILED, StageName.AUTHENTICATE, List.of("expired"), null, null),
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            "pipeline-1_0",
            Fixtures.ZERO_HASH,
            Fixtures.HASH_1);
    assertThat(roundTrip(record)).isEqualTo(record);
  }

  @Test
  void smallValues() {
    assertThat(roundTrip(new Principal("acme", "alice"))).isEqualTo(new Principal("acme", "alice"));
    assertThat(roundTrip(new ReplyTo("llm.replies", 5))).isEqualTo(new ReplyTo("llm.replies", 5));
    assertThat(roundTrip(Usage.of(3, 4))).isEqualTo(Usage.of(3, 4));
    assertThat(roundTrip(new Citation("c1", null))).isEqualTo(new Citation("c1", null));
    Meta meta = new Meta("stub", Fixtures.REQUEST_ID, Map.of("email", 2));
    assertThat(roundTrip(meta)).isEqualTo(meta);
    GatewayError error = Fixtures.deniedReply().error();
    assertThat(roundTrip(error)).isEqualTo(error);
    ErrorResponse response = new ErrorResponse(error);
    assertThat(roundTrip(response)).isEqualTo(response);
    RagContext context =
        new RagContext("kb", List.of(new RagChunk("1", "text", null), new RagChunk("2", "t", "s")));
    assertThat(roundTrip(context)).isEqualTo(context);
    AuditDecision decision =
        new AuditDecision(Outcome.DENIED, StageName.POLICY, List.of("r"), "OPA", "sha256:ab");
    assertThat(roundTrip(decision)).isEqualTo(decision);
  }

  @Test
  void enumsUseTheirLowercaseWireNames() throws Exception {
    assertThat(Json.mapper().writeValueAsString(Outcome.COMPLETED)).isEqualTo("\"completed\"");
    assertThat(Json.mapper().writeValueAsString(Source.BATCH)).isEqualTo("\"batch\"");
    assertThat(Json.mapper().readValue("\"denied\"", Outcome.class)).isEqualTo(Outcome.DENIED);
    assertThat(Json.mapper().readValue("\"http\"", Source.class)).isEqualTo(Source.HTTP);
  }

  @Nested
  class ChatMessages {
    @Test
    void stringFormIsWrittenAsAStringAndReadBackAsStringForm() {
      ChatMessage message = ChatMessage.of("user", Fixtures.PROMPT);
      byte[] bytes = JsonCodec.of(ChatMessage.class).toBytes(message);
      assertThat(new String(bytes, StandardCharsets.UTF_8))
          .isEqualTo("{\"role\":\"user\",\"content\":\"" + Fixtures.PROMPT + "\"}");
      ChatMessage back = roundTrip(message);
      assertThat(back).isEqualTo(message);
      assertThat(back.stringForm()).isTrue();
    }

    @Test
    void partsFormIsWrittenAsPartsAndReadBackAsPartsForm() {
      ChatMessage message = Fixtures.partsMessage();
      byte[] bytes = JsonCodec.of(ChatMessage.class).toBytes(message);
      assertThat(new String(bytes, StandardCharsets.UTF_8))
          .isEqualTo(
              "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\""
                  + Fixtures.PROMPT
                  + "\"},{\"type\":\"text\",\"text\":\"second part\"}]}");
      ChatMessage back = roundTrip(message);
      assertThat(back).isEqualTo(message);
      assertThat(back.stringForm()).isFalse();
    }

    @Test
    void aSinglePartStaysAnArrayAndAStringStaysAString() {
      ChatMessage onePart = new ChatMessage("user", List.of(ContentPart.text("hi")), false, null);
      ChatMessage string = ChatMessage.of("user", "hi");
      assertThat(onePart.text()).isEqualTo(string.text());
      assertThat(onePart).isNotEqualTo(string);
      assertThat(roundTrip(onePart)).isEqualTo(onePart).isNotEqualTo(string);
      assertThat(roundTrip(string)).isEqualTo(string).isNotEqualTo(onePart);
    }

    @ParameterizedTest
    @ValueSource(
        strings = {
          "{\"role\":\"user\",\"content\":\"hi\"}",
          "{\"role\":\"assistant\",\"content\":\"hi\",\"name\":\"bot\"}",
          "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"a\"},{\"type\":\"text\",\"text\":\"b\"}]}",
          "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"only\"}],\"name\":\"n\"}",
          "{\"role\":\"tool\",\"content\":[],\"tool_call_id\":\"call_1\"}",
          "{\"role\":\"tool\",\"content\":\"42\",\"tool_call_id\":\"call_1\"}",
          "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\":\\\"Oslo\\\"}\"}}]}",
          "{\"role\":\"assistant\",\"content\":\"checking\",\"tool_calls\":[{\"id\":\"a\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}},{\"id\":\"b\",\"type\":\"function\",\"function\":{\"name\":\"g\",\"arguments\":\"\"}}]}",
          "{\"role\":\"user\",\"content\":\"\"}"
        })
    void readThenWriteGivesBackTheSameJson(String wire) {
      JsonCodec<ChatMessage> serde = JsonCodec.of(ChatMessage.class);
      byte[] written = serde.toBytes(serde.fromBytes(wire.getBytes(StandardCharsets.UTF_8)));
      assertThat(new String(written, StandardCharsets.UTF_8)).isEqualTo(wire);
    }

    @Test
    void partsAreJoinedWithNewlinesForGuardrails() {
      assertThat(Fixtures.partsMessage().text()).isEqualTo(Fixtures.PROMPT + "\nsecond part");
    }
  }

  /** Values with a {@link ChatMessage} nested inside another value (a regression once). */
  @Nested
  class NestedChatMessages {
    @Test
    void completedReply() {
      ReplyEnvelope reply = Fixtures.completedReply();
      assertThat(roundTrip(reply)).isEqualTo(reply);
    }

    @Test
    void chatCompletion() {
      ChatCompletion completion = Fixtures.completion();
      assertThat(roundTrip(completion)).isEqualTo(completion);
    }

    @Test
    void choice() {
      Choice choice = new Choice(0, Fixtures.partsMessage(), "length");
      assertThat(roundTrip(choice)).isEqualTo(choice);
    }

    @Test
    void chatRequest() {
      ChatRequest request = Fixtures.fullChatRequest();
      assertThat(roundTrip(request)).isEqualTo(request);
    }

    @Test
    void verifiedRequest() {
      VerifiedRequest request = Fixtures.verifiedRequest();
      assertThat(roundTrip(request)).isEqualTo(request);
    }
  }
}

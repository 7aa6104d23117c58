package dev.sluice.topics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.schemas.JsonCodec;
import dev.sluice.schemas.chat.ChatMessage;
import dev.sluice.schemas.envelope.RequestEnvelope;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

/** The Kafka face of a contract's codec: same bytes, Kafka's exception, no quoted input. */
class JsonSerdeTest {
  private static final String SECRET = "sk-live-SECRET-4111111111111111";

  private final JsonSerde<RequestEnvelope> envelopes = JsonSerde.of(RequestEnvelope.class);

  @Test
  void garbageIsASerializationExceptionWithoutQuotingTheInput() {
    byte[] bytes = ("{\"credential\": \"" + SECRET + "\"").getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> envelopes.deserializer().deserialize("llm.requests", bytes))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("RequestEnvelope")
        .hasMessageNotContaining("sk-live")
        .satisfies(e -> assertThat(e.getCause()).isNull());
  }

  @Test
  void nullIsATombstoneBothWays() {
    assertThat(envelopes.serializer().serialize("llm.requests", null)).isNull();
    assertThat(envelopes.deserializer().deserialize("llm.requests", null)).isNull();
  }

  @Test
  void writesTheCodecsBytes() {
    ChatMessage message = ChatMessage.of("user", "société 日本");
    JsonSerde<ChatMessage> serde = JsonSerde.of(ChatMessage.class);
    byte[] bytes = serde.serializer().serialize("llm.requests", message);
    assertThat(bytes).isEqualTo(JsonCodec.of(ChatMessage.class).toBytes(message));
    assertThat(serde.deserializer().deserialize("llm.requests", bytes)).isEqualTo(message);
  }
}

package dev.sluice.schemas.chat;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;

/** Writes a message's content back in the form it arrived in (string or parts). */
final class ChatMessageJson {
  private ChatMessageJson() {}

  static final class Serializer extends StdSerializer<ChatMessage> {
    private static final long serialVersionUID = 1L;

    Serializer() {
      super(ChatMessage.class);
    }

    @Override
    public void serialize(ChatMessage message, JsonGenerator json, SerializerProvider provider)
        throws IOException {
      json.writeStartObject();
      json.writeStringField("role", message.role());
      if (message.stringForm()) {
        json.writeStringField("content", message.text());
      } else if (!message.hasContent()
          && (!message.toolCalls().isEmpty() || message.refusal() != null)) {
        json.writeNullField("content");
      } else {
        json.writeArrayFieldStart("content");
        for (ContentPart part : message.content()) {
          json.writeStartObject();
          json.writeStringField("type", part.type());
          json.writeStringField("text", part.text());
          json.writeEndObject();
        }
        json.writeEndArray();
      }
      if (message.name() != null) {
        json.writeStringField("name", message.name());
      }
      if (!message.toolCalls().isEmpty()) {
        json.writeArrayFieldStart("tool_calls");
        for (ToolCall call : message.toolCalls()) {
          json.writeStartObject();
          json.writeStringField("id", call.id());
          json.writeStringField("type", call.type());
          json.writeObjectFieldStart("function");
          json.writeStringField("name", call.function().name());
          json.writeStringField("arguments", call.function().arguments());
          json.writeEndObject();
          json.writeEndObject();
        }
        json.writeEndArray();
      }
      if (message.toolCallId() != null) {
        json.writeStringField("tool_call_id", message.toolCallId());
      }
      if (message.refusal() != null) {
        json.writeStringField("refusal", message.refusal());
      }
      if (!message.annotations().isEmpty()) {
        json.writeObjectField("annotations", message.annotations());
      }
      json.writeEndObject();
    }
  }

  static final class Deserializer extends StdDeserializer<ChatMessage> {
    private static final long serialVersionUID = 1L;

    Deserializer() {
      super(ChatMessage.class);
    }

    @Override
    public ChatMessage deserialize(JsonParser parser, DeserializationContext context)
        throws IOException {
      JsonNode node = context.readTree(parser);
      try {
        // Jackson reads messages only inside answers (a reply's choices); requests are read by
        // ChatRequests.parse, which ignores these two fields.
        return ChatRequests.answerMessage(node);
      } catch (InvalidChatRequest e) {
        throw context.weirdStringException(e.getMessage(), ChatMessage.class, e.getMessage());
      }
    }
  }
}

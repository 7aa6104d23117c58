package dev.sluice.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.schemas.Json;
import dev.sluice.schemas.envelope.RequestEnvelope;
import dev.sluice.topics.Topics;

/** Request envelopes as a producer writes them: raw JSON, so a test can forge any shape. */
public final class Envelopes {
  public static final int REPLY_PARTITION = 3;

  private Envelopes() {}

  /** A well-formed envelope asking model {@code model} about {@code userText}. */
  public static ObjectNode envelope(
      String requestId, String tenant, String credential, String model, String userText) {
    ObjectNode envelope = Json.mapper().createObjectNode();
    envelope.put("schemaVersion", RequestEnvelope.VERSION);
    if (requestId != null) {
      envelope.put("requestId", requestId);
    }
    if (tenant != null) {
      envelope.put("tenant", tenant);
    }
    if (credential != null) {
      envelope.put("credential", credential);
    }
    ObjectNode replyTo = envelope.putObject("replyTo");
    replyTo.put("topic", Topics.REPLIES.name());
    replyTo.put("partition", REPLY_PARTITION);
    envelope.set("request", chat(model, userText));
    return envelope;
  }

  /** An OpenAI chat request with a system message and one user message. */
  public static ObjectNode chat(String model, String userText) {
    ObjectNode request = Json.mapper().createObjectNode();
    request.put("model", model);
    ArrayNode messages = request.putArray("messages");
    messages.addObject().put("role", "system").put("content", "You are terse.");
    messages.addObject().put("role", "user").put("content", userText);
    return request;
  }

  public static String json(JsonNode node) {
    return node.toString();
  }

  /** The same envelope decoded as the pipeline reads it. */
  public static RequestEnvelope decode(JsonNode node) {
    return Topics.REQUESTS
        .valueSerde()
        .deserializer()
        .deserialize(Topics.REQUESTS.name(), bytes(node));
  }

  private static byte[] bytes(JsonNode node) {
    return node.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }
}

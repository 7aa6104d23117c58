package dev.sluice.pipeline.redaction;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.pipeline.StageRequests;
import dev.sluice.pipeline.stage.StageDecision;
import dev.sluice.schemas.Json;
import dev.sluice.schemas.chat.ChatRequest;
import dev.sluice.schemas.chat.ChatRequests;
import dev.sluice.schemas.envelope.VerifiedRequest;
import org.junit.jupiter.api.Test;

/**
 * With prompt redaction on, what the model reads outside the messages is cleaned as they are: tool
 * descriptions and parameter schemas, the prediction, a structured-output schema; names and
 * structure stay, so the provider still accepts them.
 */
class RedactPromptInstructionsTest {
  private static final Redactor REDACTOR = Redactor.create();

  private static VerifiedRequest request(String extra) throws Exception {
    String body =
        "{\"model\":\"stub\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]," + extra + "}";
    return StageRequests.verified(
        "acme", "alice", ChatRequests.parse(Json.mapper().readTree(body)));
  }

  private static ChatRequest redacted(VerifiedRequest request) {
    StageDecision decision = new RedactPrompt(tenant -> REDACTOR).apply(request, 0);
    return ((StageDecision.Pass) decision).request().request();
  }

  @Test
  void toolDefinitionsPredictionAndSchemaAreCleanedAndStayValid() throws Exception {
    VerifiedRequest request =
        request(
            """
            "tools":[{"type":"function","function":{"name":"notify",
              "description":"Mail the on-call engineer at jane.doe@example.com.",
              "parameters":{"type":"object","properties":{"to":{"type":"string",
                "description":"Default: jane.doe@example.com"}},"required":["to"]}}}],
            "prediction":{"type":"content","content":"Contact jane.doe@example.com today."},
            "response_format":{"type":"json_schema","json_schema":{"name":"contact",
              "description":"Addresses like jane.doe@example.com.",
              "schema":{"type":"object","properties":{"email":{"type":"string"}}}}}
            """);

    ChatRequest cleaned = redacted(request);

    var function = cleaned.tools().get(0).function();
    assertThat(function.name()).isEqualTo("notify");
    assertThat(function.description()).contains("[REDACTED:EMAIL]").doesNotContain("jane.doe");
    assertThat(function.parameters().at("/properties/to/description").asText())
        .contains("[REDACTED:EMAIL]");
    assertThat(function.parameters().at("/properties/to/type").asText()).isEqualTo("string");
    assertThat(function.parameters().at("/required/0").asText()).isEqualTo("to");

    JsonNode prediction = cleaned.options().prediction();
    assertThat(prediction.path("type").asText()).isEqualTo("content");
    assertThat(prediction.path("content").asText()).contains("[REDACTED:EMAIL]");

    JsonNode format = cleaned.options().responseFormat();
    assertThat(format.at("/json_schema/name").asText()).isEqualTo("contact");
    assertThat(format.at("/json_schema/description").asText()).contains("[REDACTED:EMAIL]");
    assertThat(format.at("/json_schema/schema/properties/email/type").asText()).isEqualTo("string");

    assertThat(request.request().tools().get(0).function().description())
        .as("the request as the caller sent it is unchanged")
        .contains("jane.doe@example.com");
  }

  @Test
  void aRequestWithNothingToCleanPassesAsItIs() throws Exception {
    VerifiedRequest request =
        request(
            "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"weather\","
                + "\"description\":\"Weather for a city.\"}}],\"seed\":1");
    assertThat(new RedactPrompt(tenant -> REDACTOR).apply(request, 0))
        .isEqualTo(new StageDecision.Pass(request));
  }

  @Test
  void aRedactedChunkIdStaysWithinTheBoundSoTheKeptRequestReadsBack() throws Exception {
    // 254 characters; the marker is longer than the short address it replaces.
    String id = "x".repeat(243) + " jo@ex.io";
    VerifiedRequest request =
        request(
            "\"context\":{\"source\":\"kb://approved/a\",\"chunks\":[{\"id\":\""
                + id
                + "\",\"content\":\"doc\"}]}");

    ChatRequest cleaned = redacted(request);

    String cleanedId = cleaned.context().chunks().get(0).id();
    assertThat(cleanedId).doesNotContain("jo@ex.io").hasSizeLessThanOrEqualTo(256);
    ChatRequest readBack =
        Json.mapper().readValue(Json.mapper().writeValueAsBytes(cleaned), ChatRequest.class);
    assertThat(readBack).isEqualTo(cleaned);
  }
}

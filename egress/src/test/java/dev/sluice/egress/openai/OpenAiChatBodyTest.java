package dev.sluice.egress.openai;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.egress.ProviderCall;
import dev.sluice.schemas.Json;
import dev.sluice.schemas.chat.ChatRequests;
import dev.sluice.schemas.chat.InvalidChatRequest;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** What an OpenAI-compatible provider receives: every option as the caller sent it. */
class OpenAiChatBodyTest {
  private static JsonNode sent(String request, boolean withModel)
      throws IOException, InvalidChatRequest {
    ProviderCall call =
        new ProviderCall(
            "req-1",
            "gpt-4o-mini",
            ChatRequests.parse(Json.mapper().readTree(request)),
            Long.MAX_VALUE);
    return Json.mapper().readTree(OpenAiChat.body(call, withModel));
  }

  @Test
  void jsonModeSeedsLogprobsAndTheCapNameReachTheProviderUnchanged() throws Exception {
    JsonNode body =
        sent(
            """
            {"model":"openai:gpt-4o-mini","messages":[{"role":"user","content":"hi"}],
             "max_completion_tokens":64,"seed":7,"logprobs":true,"top_logprobs":2,
             "response_format":{"type":"json_schema","json_schema":{"name":"answer","strict":true,
               "schema":{"type":"object","properties":{"a":{"type":"string"}},"required":["a"],
                         "additionalProperties":false}}},
             "reasoning_effort":"low","store":false,"metadata":{"team":"search"},
             "context":{"source":"kb","chunks":[{"id":"1","content":"doc"}]}}
            """,
            true);

    assertThat(body.path("model").asText()).isEqualTo("gpt-4o-mini");
    assertThat(body.path("max_completion_tokens").asInt()).isEqualTo(64);
    assertThat(body.has("max_tokens")).as("never renamed").isFalse();
    assertThat(body.path("seed").asLong()).isEqualTo(7);
    assertThat(body.path("logprobs").asBoolean()).isTrue();
    assertThat(body.path("top_logprobs").asInt()).isEqualTo(2);
    assertThat(body.at("/response_format/json_schema/strict").asBoolean()).isTrue();
    assertThat(body.at("/response_format/json_schema/schema/required/0").asText()).isEqualTo("a");
    assertThat(body.path("reasoning_effort").asText()).isEqualTo("low");
    assertThat(body.path("store").asBoolean(true)).isFalse();
    assertThat(body.at("/metadata/team").asText()).isEqualTo("search");
    assertThat(body.has("context")).as("the gateway's own field is never forwarded").isFalse();
  }

  @Test
  void theLegacyCapKeepsItsNameAndAzureBodiesNameNoModel() throws Exception {
    JsonNode body =
        sent(
            """
            {"model":"azure:gpt-4o-mini","messages":[{"role":"user","content":"hi"}],
             "max_tokens":32,"x_passed":{"n":1}}
            """,
            false);
    assertThat(body.path("max_tokens").asInt()).isEqualTo(32);
    assertThat(body.has("max_completion_tokens")).isFalse();
    assertThat(body.has("model")).isFalse();
    assertThat(body.at("/x_passed/n").asInt())
        .as("an unknown field reaches the adapter only when policy passed it through")
        .isEqualTo(1);
  }
}

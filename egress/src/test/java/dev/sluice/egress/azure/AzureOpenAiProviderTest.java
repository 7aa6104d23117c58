package dev.sluice.egress.azure;

import static dev.sluice.egress.http.FakeUpstream.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.egress.EgressAllowlist;
import dev.sluice.egress.Provider;
import dev.sluice.egress.ProviderAnswer;
import dev.sluice.egress.ProviderCall;
import dev.sluice.egress.ProviderException;
import dev.sluice.egress.ProviderException.Kind;
import dev.sluice.egress.http.FakeUpstream;
import dev.sluice.egress.http.FakeUpstream.Received;
import dev.sluice.egress.http.ProviderContractTest;
import dev.sluice.egress.http.RetryPolicy;
import dev.sluice.schemas.Json;
import dev.sluice.schemas.chat.ChatMessage;
import dev.sluice.schemas.chat.ChatRequest;
import dev.sluice.schemas.chat.FunctionDefinition;
import dev.sluice.schemas.chat.Tool;
import dev.sluice.schemas.chat.ToolCall;
import dev.sluice.schemas.chat.ToolChoice;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Azure adapter against a stand-in for an Azure OpenAI resource's deployment endpoint. */
class AzureOpenAiProviderTest extends ProviderContractTest {
  private static final String KEY = "0123456789abcdef0123456789abcdef";
  private static final String OK_BODY =
      """
      {"id":"chatcmpl-A1","object":"chat.completion","created":1700000000,
       "model":"gpt-4o-2024-08-06","system_fingerprint":"fp_1",
       "prompt_filter_results":[{"prompt_index":0,"content_filter_results":{}}],
       "choices":[{"index":0,"finish_reason":"stop","logprobs":null,
         "message":{"role":"assistant","content":"Hello!","refusal":null},
         "content_filter_results":{"hate":{"filtered":false,"severity":"safe"}}}],
       "usage":{"prompt_tokens":9,"completion_tokens":2,"total_tokens":11}}
      """;

  @Override
  protected String key() {
    return KEY;
  }

  @Override
  protected Provider provider(String root, RetryPolicy retries, EgressAllowlist allowlist) {
    return new AzureOpenAiProvider(
        new AzureOpenAiSettings(URI.create(root), KEY, "2024-10-21", retries),
        allowlist,
        executor,
        scheduler);
  }

  @Override
  protected String requestIdHeader() {
    return "x-ms-client-request-id";
  }

  @Override
  protected String model() {
    return "gpt4o-prod";
  }

  @Override
  protected String okBody() {
    return OK_BODY;
  }

  @Override
  protected String errorBody(int status) {
    // Azure's real bodies, each message on one line as Azure sends it.
    return switch (status) {
      case 400 ->
          "{\"error\":{\"message\":\"The response was filtered due to the prompt"
              + " triggering Azure OpenAI's content management policy. (prompt: my secret)\","
              + "\"type\":null,\"param\":\"prompt\",\"code\":\"content_filter\",\"status\":400,"
              + "\"innererror\":{\"code\":\"ResponsibleAIPolicyViolation\","
              + "\"content_filter_result\":{\"hate\":{\"filtered\":true,\"severity\":\"high\"}}}}}";
      case 401 ->
          "{\"error\":{\"code\":\"401\",\"message\":\"Access denied due to invalid"
              + " subscription key or wrong API endpoint. Make sure to provide a valid key for an"
              + " active subscription and use a correct regional API endpoint for your resource.\"}}";
      case 404 ->
          "{\"error\":{\"code\":\"DeploymentNotFound\",\"message\":\"The API"
              + " deployment for this resource does not exist. If you created the deployment within"
              + " the last 5 minutes, please wait a moment and try again.\"}}";
      case 429 ->
          "{\"error\":{\"code\":\"429\",\"message\":\"Requests to the"
              + " ChatCompletions_Create Operation under Azure OpenAI API version 2024-10-21 have"
              + " exceeded token rate limit of your current pricing tier. Please retry after 1"
              + " second.\"}}";
      default ->
          "{\"error\":{\"code\":\"InternalServerError\",\"message\":\"The service is"
              + " temporarily unable to process your request. Please try again later.\"}}";
    };
  }

  @Override
  protected String errorParam(int status) {
    return status == 400 ? "prompt" : null;
  }

  @Override
  protected String errorToken(int status) {
    return switch (status) {
      case 400 -> "content_filter";
      case 401 -> "401";
      case 404 -> "DeploymentNotFound";
      default -> "InternalServerError";
    };
  }

  @Test
  void sendsTheDeploymentRequestWithTheApiKeyHeader() throws Exception {
    upstream = new FakeUpstream(json(200, OK_BODY));
    ChatRequest request =
        new ChatRequest(
            "azure:gpt4o-prod",
            List.of(ChatMessage.of("system", "be brief"), ChatMessage.of("user", "hi")),
            40,
            0.2,
            null,
            null,
            "u-7",
            null);

    ProviderAnswer answer = answer(provider(2), call(request, 0));

    assertThat(answer.provider()).isEqualTo("azure");
    assertThat(answer.model()).isEqualTo("gpt-4o-2024-08-06");
    assertThat(answer.finishReason()).isEqualTo("stop");
    assertThat(answer.usage().totalTokens()).isEqualTo(11);
    Received received = upstream.only();
    assertThat(received.path()).isEqualTo("/openai/deployments/gpt4o-prod/chat/completions");
    assertThat(received.query()).isEqualTo("api-version=2024-10-21");
    assertThat(received.header("api-key")).isEqualTo(KEY);
    assertThat(received.header("Authorization")).isNull();
    assertThat(received.header("x-ms-client-request-id")).isEqualTo(REQUEST_ID);
    JsonNode sent = Json.mapper().readTree(received.body());
    assertThat(sent.has("model")).isFalse();
    assertThat(sent.at("/messages/0/content").asText()).isEqualTo("be brief");
    assertThat(sent.at("/messages/1/content").asText()).isEqualTo("hi");
    assertThat(sent.get("max_tokens").asInt()).isEqualTo(40);
    assertThat(sent.get("temperature").asDouble()).isEqualTo(0.2);
    assertThat(sent.get("user").asText()).isEqualTo("u-7");
  }

  @Test
  void passesToolsThroughInOpenAisShape() throws Exception {
    upstream =
        new FakeUpstream(
            json(
                200,
                """
                {"id":"chatcmpl-A2","object":"chat.completion","model":"gpt-4o-2024-08-06",
                 "choices":[{"index":0,"finish_reason":"tool_calls","message":{"role":"assistant",
                   "content":null,"tool_calls":[{"id":"call_9","type":"function",
                   "function":{"name":"lookup","arguments":"{\\"q\\":\\"x\\"}"}}]}}],
                 "usage":{"prompt_tokens":30,"completion_tokens":8,"total_tokens":38}}
                """));
    ChatRequest request =
        new ChatRequest(
            "azure:gpt4o-prod",
            List.of(ChatMessage.of("user", "look it up")),
            null,
            null,
            null,
            null,
            null,
            null,
            List.of(Tool.function(new FunctionDefinition("lookup", null, null, null))),
            ToolChoice.of(ToolChoice.AUTO),
            true);

    ProviderAnswer answer = answer(provider(2), call(request, 0));

    assertThat(answer.finishReason()).isEqualTo("tool_calls");
    assertThat(answer.message().toolCalls())
        .containsExactly(ToolCall.function("call_9", "lookup", "{\"q\":\"x\"}"));
    JsonNode sent = Json.mapper().readTree(upstream.only().body());
    assertThat(sent.at("/tools/0/function/name").asText()).isEqualTo("lookup");
    assertThat(sent.get("tool_choice").asText()).isEqualTo("auto");
    assertThat(sent.get("parallel_tool_calls").asBoolean()).isTrue();
  }

  @Test
  void aDeploymentNameCanNeverChangeThePath() {
    upstream = new FakeUpstream(json(200, OK_BODY));
    Provider provider = provider(2);
    for (String name :
        List.of("..", ".", "../../admin", "a/b", "a?b", "a#b", "%2e%2e", "a b", "dep\nloy", "")) {
      ProviderCall call =
          new ProviderCall(
              REQUEST_ID,
              name,
              new ChatRequest(
                  "azure:" + name,
                  List.of(ChatMessage.of("user", "hi")),
                  null,
                  null,
                  null,
                  null,
                  null,
                  null),
              0);
      ProviderException e = failure(provider, call);
      assertThat(e.kind()).as(name).isEqualTo(Kind.UNKNOWN_MODEL);
    }
    assertThat(upstream.attempts()).isZero();
    assertThat(AzureOpenAiProvider.isDeploymentName("gpt-4o.mini_2024")).isTrue();
  }
}

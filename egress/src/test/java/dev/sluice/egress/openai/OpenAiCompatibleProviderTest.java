package dev.sluice.egress.openai;

import static dev.sluice.egress.http.FakeUpstream.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.config.Env;
import dev.sluice.egress.EgressAllowlist;
import dev.sluice.egress.Provider;
import dev.sluice.egress.ProviderAnswer;
import dev.sluice.egress.ProviderException;
import dev.sluice.egress.ProviderException.Kind;
import dev.sluice.egress.http.FakeUpstream;
import dev.sluice.egress.http.FakeUpstream.Received;
import dev.sluice.egress.http.ProviderContractTest;
import dev.sluice.egress.http.RetryPolicy;
import dev.sluice.schemas.Json;
import dev.sluice.schemas.chat.ChatMessage;
import dev.sluice.schemas.chat.ChatRequest;
import dev.sluice.schemas.chat.ContentPart;
import dev.sluice.schemas.chat.FunctionDefinition;
import dev.sluice.schemas.chat.Tool;
import dev.sluice.schemas.chat.ToolCall;
import dev.sluice.schemas.chat.ToolChoice;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The OpenAI adapter against a stand-in for OpenAI's chat-completions endpoint. */
class OpenAiCompatibleProviderTest extends ProviderContractTest {
  private static final String KEY = "sk-test-secret-key";
  private static final String OK_BODY =
      """
      {"id":"chatcmpl-1","object":"chat.completion","created":1700000000,
       "model":"gpt-4o-mini-2024-07-18",
       "choices":[{"index":0,"message":{"role":"assistant","content":"Hello!","refusal":null},
                   "logprobs":null,"finish_reason":"length"}],
       "usage":{"prompt_tokens":12,"completion_tokens":3,"total_tokens":15},
       "system_fingerprint":"fp_1"}
      """;

  @Override
  protected String key() {
    return KEY;
  }

  @Override
  protected Provider provider(String root, RetryPolicy retries, EgressAllowlist allowlist) {
    OpenAiSettings settings = new OpenAiSettings("openai", URI.create(root + "/v1"), KEY, retries);
    return new OpenAiCompatibleProvider(settings, allowlist, executor, scheduler);
  }

  @Override
  protected String requestIdHeader() {
    return "X-Client-Request-Id";
  }

  @Override
  protected String model() {
    return "gpt-4o-mini";
  }

  @Override
  protected String okBody() {
    return OK_BODY;
  }

  @Override
  protected String errorBody(int status) {
    return switch (status) {
      case 400 ->
          """
          {"error":{"message":"Invalid value for 'temperature' (prompt: my secret)",
                    "type":"invalid_request_error","param":"temperature","code":null}}""";
      case 401 ->
          """
          {"error":{"message":"Incorrect API key provided: sk-test...","type":"invalid_request_error",
                    "param":null,"code":"invalid_api_key"}}""";
      case 404 ->
          """
          {"error":{"message":"The model `gpt-9` does not exist","type":"invalid_request_error",
                    "param":null,"code":"model_not_found"}}""";
      case 429 ->
          """
          {"error":{"message":"Rate limit reached for requests","type":"requests",
                    "param":null,"code":"rate_limit_exceeded"}}""";
      default ->
          """
          {"error":{"message":"The server had an error while processing your request.",
                    "type":"server_error","param":null,"code":null}}""";
    };
  }

  @Override
  protected String errorToken(int status) {
    return switch (status) {
      case 400 -> "invalid_request_error";
      case 401 -> "invalid_api_key";
      case 404 -> "model_not_found";
      default -> "server_error";
    };
  }

  @Override
  protected String errorParam(int status) {
    return status == 400 ? "temperature" : null;
  }

  @Test
  void sendsTheOpenAiRequest() throws Exception {
    upstream = new FakeUpstream(json(200, OK_BODY));
    ChatRequest request =
        new ChatRequest(
            "openai:gpt-4o-mini",
            List.of(
                ChatMessage.of("system", "be brief"),
                new ChatMessage("user", List.of(ContentPart.text("hi")), false, null)),
            50,
            0.5,
            0.9,
            List.of("END"),
            "u-1",
            null);

    ProviderAnswer answer = answer(provider(2), call(request, 0));

    assertThat(answer.provider()).isEqualTo("openai");
    assertThat(answer.model()).isEqualTo("gpt-4o-mini-2024-07-18");
    assertThat(answer.finishReason()).isEqualTo("length");
    assertThat(answer.usage().promptTokens()).isEqualTo(12);
    assertThat(answer.usage().completionTokens()).isEqualTo(3);
    Received received = upstream.only();
    assertThat(received.path()).isEqualTo("/v1/chat/completions");
    assertThat(received.query()).isNull();
    assertThat(received.header("Authorization")).isEqualTo("Bearer " + KEY);
    assertThat(received.header("Content-Type")).isEqualTo("application/json");
    assertThat(received.header("X-Client-Request-Id")).isEqualTo(REQUEST_ID);
    JsonNode sent = Json.mapper().readTree(received.body());
    assertThat(sent.get("model").asText()).isEqualTo("gpt-4o-mini");
    assertThat(sent.at("/messages/0/role").asText()).isEqualTo("system");
    assertThat(sent.at("/messages/0/content").asText()).isEqualTo("be brief");
    assertThat(sent.at("/messages/1/content/0/type").asText()).isEqualTo("text");
    assertThat(sent.at("/messages/1/content/0/text").asText()).isEqualTo("hi");
    assertThat(sent.get("max_tokens").asInt()).isEqualTo(50);
    assertThat(sent.get("temperature").asDouble()).isEqualTo(0.5);
    assertThat(sent.get("top_p").asDouble()).isEqualTo(0.9);
    assertThat(sent.get("stop").get(0).asText()).isEqualTo("END");
    assertThat(sent.get("user").asText()).isEqualTo("u-1");
    assertThat(sent.has("context")).isFalse();
    assertThat(sent.has("tools")).isFalse();
    assertThat(sent.has("tool_choice")).isFalse();
  }

  @Test
  void passesToolsThroughBothWays() throws Exception {
    upstream =
        new FakeUpstream(
            json(
                200,
                """
                {"id":"chatcmpl-2","object":"chat.completion","model":"gpt-4o-2024-08-06",
                 "choices":[{"index":0,"message":{"role":"assistant","content":null,
                   "tool_calls":[{"id":"call_2","type":"function",
                     "function":{"name":"get_weather","arguments":"{\\"city\\":\\"Oslo\\"}"}}],
                   "refusal":null},"finish_reason":"tool_calls"}],
                 "usage":{"prompt_tokens":80,"completion_tokens":17,"total_tokens":97}}
                """));
    Tool weather =
        Tool.function(
            new FunctionDefinition(
                "get_weather",
                "Weather for a city",
                Json.mapper().readTree("{\"type\":\"object\",\"properties\":{\"city\":{}}}"),
                true));
    ChatRequest request =
        new ChatRequest(
            "openai:gpt-4o",
            List.of(
                ChatMessage.of("user", "weather in Bergen?"),
                ChatMessage.assistant(
                    null,
                    List.of(ToolCall.function("call_1", "get_weather", "{\"city\":\"Bergen\"}"))),
                new ChatMessage(
                    "tool", List.of(ContentPart.text("rain")), true, null, List.of(), "call_1")),
            null,
            null,
            null,
            null,
            null,
            null,
            List.of(weather),
            ToolChoice.function("get_weather"),
            false);

    ProviderAnswer answer = answer(provider(2), call(request, 0));

    assertThat(answer.finishReason()).isEqualTo("tool_calls");
    assertThat(answer.message().hasContent()).isFalse();
    assertThat(answer.message().toolCalls())
        .containsExactly(ToolCall.function("call_2", "get_weather", "{\"city\":\"Oslo\"}"));
    JsonNode sent = Json.mapper().readTree(upstream.only().body());
    assertThat(sent.at("/tools/0/type").asText()).isEqualTo("function");
    assertThat(sent.at("/tools/0/function/name").asText()).isEqualTo("get_weather");
    assertThat(sent.at("/tools/0/function/description").asText()).isEqualTo("Weather for a city");
    assertThat(sent.at("/tools/0/function/parameters/type").asText()).isEqualTo("object");
    assertThat(sent.at("/tools/0/function/strict").asBoolean()).isTrue();
    assertThat(sent.at("/tool_choice/type").asText()).isEqualTo("function");
    assertThat(sent.at("/tool_choice/function/name").asText()).isEqualTo("get_weather");
    assertThat(sent.get("parallel_tool_calls").asBoolean()).isFalse();
    assertThat(sent.at("/messages/1/content").isNull()).isTrue();
    assertThat(sent.at("/messages/1/tool_calls/0/id").asText()).isEqualTo("call_1");
    assertThat(sent.at("/messages/1/tool_calls/0/function/arguments").asText())
        .isEqualTo("{\"city\":\"Bergen\"}");
    assertThat(sent.at("/messages/2/role").asText()).isEqualTo("tool");
    assertThat(sent.at("/messages/2/tool_call_id").asText()).isEqualTo("call_1");
  }

  @Test
  void aToolChoiceModeGoesOutAsOpenAisString() throws Exception {
    upstream = new FakeUpstream(json(200, OK_BODY));
    ChatRequest request =
        new ChatRequest(
            "gpt-4o",
            List.of(ChatMessage.of("user", "hi")),
            null,
            null,
            null,
            null,
            null,
            null,
            List.of(Tool.function(new FunctionDefinition("f", null, null, null))),
            ToolChoice.of(ToolChoice.REQUIRED),
            null);
    answer(provider(2), call(request, 0));
    JsonNode sent = Json.mapper().readTree(upstream.only().body());
    assertThat(sent.get("tool_choice").asText()).isEqualTo("required");
    assertThat(sent.has("parallel_tool_calls")).isFalse();
    assertThat(sent.at("/tools/0/function").has("parameters")).isFalse();
  }

  @Test
  void unsafeErrorTokensAreDropped() {
    upstream =
        new FakeUpstream(
            json(
                403,
                "{\"error\":{\"message\":\"x\",\"code\":\"Prompt: hi there\",\"type\":null}}"));
    ProviderException e = failure(provider(2), call(0));
    assertThat(e.kind()).isEqualTo(Kind.REFUSED);
    assertThat(e.getMessage()).isEqualTo("the provider refused the request (openai, 403)");
    assertThat(e.upstream().code()).isNull();
  }

  @Test
  void retryAfterMsIsHonoured() {
    upstream =
        new FakeUpstream(
            json(429, errorBody(429), "retry-after-ms", "20", "Retry-After", "60"),
            json(200, OK_BODY));
    // Retry-After alone (60 s) would pass the deadline and end the call; retry-after-ms wins.
    assertThat(answer(provider(2), call(System.currentTimeMillis() + 10_000)).message().text())
        .isEqualTo("Hello!");
    assertThat(upstream.attempts()).isEqualTo(2);
  }

  @Test
  void theThreeArgumentConstructorReachesTheBaseUrlHost() {
    upstream = new FakeUpstream(json(200, OK_BODY));
    OpenAiSettings settings =
        new OpenAiSettings(
            "openai", URI.create(upstream.url("/v1")), KEY, RetryPolicy.from(Env.of(Map.of())));
    Provider provider = new OpenAiCompatibleProvider(settings, executor, scheduler);
    assertThat(answer(provider, call(0)).message().text()).isEqualTo("Hello!");
  }
}

package dev.sluice.egress.anthropic;

import static dev.sluice.egress.http.FakeUpstream.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
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
import org.junit.jupiter.api.Test;

/** The Anthropic adapter against a stand-in for Anthropic's Messages endpoint. */
class AnthropicProviderTest extends ProviderContractTest {
  private static final String KEY = "sk-ant-api03-test-secret";
  private static final String OK_BODY =
      """
      {"id":"msg_01XFDUDYJgAACzvnptvVoYEL","type":"message","role":"assistant",
       "model":"claude-sonnet-4-5-20250929",
       "content":[{"type":"text","text":"Hello!"}],
       "stop_reason":"end_turn","stop_sequence":null,
       "usage":{"input_tokens":12,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,
                "output_tokens":3}}
      """;

  @Override
  protected String key() {
    return KEY;
  }

  @Override
  protected Provider provider(String root, RetryPolicy retries, EgressAllowlist allowlist) {
    return new AnthropicProvider(
        new AnthropicSettings(URI.create(root), KEY, "2023-06-01", 4096, retries),
        allowlist,
        executor,
        scheduler);
  }

  @Override
  protected String requestIdHeader() {
    return null;
  }

  @Override
  protected String model() {
    return "claude-sonnet-4-5";
  }

  @Override
  protected String okBody() {
    return OK_BODY;
  }

  @Override
  protected List<Integer> serverErrors() {
    return List.of(500, 529);
  }

  @Override
  protected String errorBody(int status) {
    return "{\"type\":\"error\",\"error\":{\"type\":\""
        + errorToken(status)
        + "\",\"message\":\"messages.0.content: my secret prompt was not accepted\"},"
        + "\"request_id\":\"req_011CSHoEeqs5C35K2UUqR7Fy\"}";
  }

  @Override
  protected String errorToken(int status) {
    return switch (status) {
      case 400 -> "invalid_request_error";
      case 401 -> "authentication_error";
      case 404 -> "not_found_error";
      case 429 -> "rate_limit_error";
      case 529 -> "overloaded_error";
      default -> "api_error";
    };
  }

  @Test
  void sendsTheMessagesRequest() throws Exception {
    upstream = new FakeUpstream(json(200, OK_BODY));
    ChatRequest request =
        new ChatRequest(
            "anthropic:claude-sonnet-4-5",
            List.of(
                ChatMessage.of("system", "be brief"),
                ChatMessage.of("user", "hi"),
                ChatMessage.of("developer", "answer in French"),
                new ChatMessage(
                    "user", List.of(ContentPart.text("one"), ContentPart.text("two")), false, null),
                ChatMessage.of("assistant", "ok"),
                ChatMessage.of("user", "go on")),
            null,
            1.5,
            0.9,
            List.of("END"),
            "u-42",
            null);

    ProviderAnswer answer = answer(provider(2), call(request, 0));

    assertThat(answer.provider()).isEqualTo("anthropic");
    assertThat(answer.model()).isEqualTo("claude-sonnet-4-5-20250929");
    assertThat(answer.message().text()).isEqualTo("Hello!");
    assertThat(answer.finishReason()).isEqualTo("stop");
    assertThat(answer.usage().promptTokens()).isEqualTo(12);
    assertThat(answer.usage().completionTokens()).isEqualTo(3);
    Received received = upstream.only();
    assertThat(received.path()).isEqualTo("/v1/messages");
    assertThat(received.query()).isNull();
    assertThat(received.header("x-api-key")).isEqualTo(KEY);
    assertThat(received.header("anthropic-version")).isEqualTo("2023-06-01");
    assertThat(received.header("content-type")).isEqualTo("application/json");
    assertThat(received.header("Authorization")).isNull();
    JsonNode sent = Json.mapper().readTree(received.body());
    assertThat(sent.get("model").asText()).isEqualTo("claude-sonnet-4-5");
    assertThat(sent.get("max_tokens").asInt()).isEqualTo(4096);
    assertThat(sent.get("system").asText()).isEqualTo("be brief\n\nanswer in French");
    assertThat(sent.get("messages"))
        .isEqualTo(
            Json.mapper()
                .readTree(
                    """
                    [{"role":"user","content":[{"type":"text","text":"hi"},
                                               {"type":"text","text":"one"},
                                               {"type":"text","text":"two"}]},
                     {"role":"assistant","content":[{"type":"text","text":"ok"}]},
                     {"role":"user","content":[{"type":"text","text":"go on"}]}]
                    """));
    assertThat(sent.get("temperature").asDouble()).isEqualTo(1.0);
    assertThat(sent.get("top_p").asDouble()).isEqualTo(0.9);
    assertThat(sent.get("stop_sequences").get(0).asText()).isEqualTo("END");
    assertThat(sent.at("/metadata/user_id").asText()).isEqualTo("u-42");
    assertThat(sent.has("tools")).isFalse();
    assertThat(sent.has("tool_choice")).isFalse();
  }

  @Test
  void theRequestsMaxTokensWins() throws Exception {
    upstream = new FakeUpstream(json(200, OK_BODY));
    ChatRequest request =
        new ChatRequest(
            "claude", List.of(ChatMessage.of("user", "hi")), 64, 0.3, null, null, null, null);
    answer(provider(2), call(request, 0));
    JsonNode sent = Json.mapper().readTree(upstream.only().body());
    assertThat(sent.get("max_tokens").asInt()).isEqualTo(64);
    assertThat(sent.get("temperature").asDouble()).isEqualTo(0.3);
    assertThat(sent.has("system")).isFalse();
  }

  @Test
  void toolsGoOutAsAnthropicToolsAndComeBackAsToolCalls() throws Exception {
    upstream =
        new FakeUpstream(
            json(
                200,
                """
                {"id":"msg_02","type":"message","role":"assistant","model":"claude-sonnet-4-5",
                 "content":[{"type":"text","text":"Checking both."},
                            {"type":"tool_use","id":"toolu_01","name":"get_weather",
                             "input":{"city": "Oslo", "units": ["c"]}},
                            {"type":"tool_use","id":"toolu_02","name":"get_time","input":{}}],
                 "stop_reason":"tool_use","stop_sequence":null,
                 "usage":{"input_tokens":300,"cache_read_input_tokens":100,"output_tokens":40}}
                """));
    ChatRequest request =
        new ChatRequest(
            "anthropic:claude-sonnet-4-5",
            List.of(
                ChatMessage.of("user", "weather and time in Bergen?"),
                ChatMessage.assistant(
                    "Looking.",
                    List.of(
                        ToolCall.function("call_a", "get_weather", "{\"city\":\"Bergen\"}"),
                        ToolCall.function("call_b", "get_time", ""))),
                new ChatMessage(
                    "tool", List.of(ContentPart.text("rain")), true, null, List.of(), "call_a"),
                new ChatMessage(
                    "tool", List.of(ContentPart.text("12:00")), true, null, List.of(), "call_b"),
                ChatMessage.of("user", "and Oslo?")),
            null,
            null,
            null,
            null,
            null,
            null,
            List.of(
                Tool.function(
                    new FunctionDefinition(
                        "get_weather",
                        "Weather for a city",
                        Json.mapper()
                            .readTree(
                                "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}"),
                        true)),
                Tool.function(new FunctionDefinition("get_time", null, null, null))),
            ToolChoice.function("get_weather"),
            false);

    ProviderAnswer answer = answer(provider(2), call(request, 0));

    assertThat(answer.finishReason()).isEqualTo("tool_calls");
    assertThat(answer.message().text()).isEqualTo("Checking both.");
    assertThat(answer.message().toolCalls())
        .containsExactly(
            ToolCall.function("toolu_01", "get_weather", "{\"city\":\"Oslo\",\"units\":[\"c\"]}"),
            ToolCall.function("toolu_02", "get_time", "{}"));
    assertThat(answer.usage().promptTokens()).isEqualTo(400);
    JsonNode sent = Json.mapper().readTree(upstream.only().body());
    assertThat(sent.get("tools"))
        .isEqualTo(
            Json.mapper()
                .readTree(
                    """
                    [{"name":"get_weather","description":"Weather for a city",
                      "input_schema":{"type":"object","properties":{"city":{"type":"string"}}}},
                     {"name":"get_time","input_schema":{"type":"object"}}]
                    """));
    assertThat(sent.get("tool_choice"))
        .isEqualTo(
            Json.mapper()
                .readTree(
                    "{\"type\":\"tool\",\"name\":\"get_weather\",\"disable_parallel_tool_use\":true}"));
    assertThat(sent.get("messages"))
        .isEqualTo(
            Json.mapper()
                .readTree(
                    """
                    [{"role":"user","content":[{"type":"text","text":"weather and time in Bergen?"}]},
                     {"role":"assistant","content":[
                       {"type":"text","text":"Looking."},
                       {"type":"tool_use","id":"call_a","name":"get_weather","input":{"city":"Bergen"}},
                       {"type":"tool_use","id":"call_b","name":"get_time","input":{}}]},
                     {"role":"user","content":[
                       {"type":"tool_result","tool_use_id":"call_a","content":"rain"},
                       {"type":"tool_result","tool_use_id":"call_b","content":"12:00"},
                       {"type":"text","text":"and Oslo?"}]}]
                    """));
  }

  @Test
  void anAnswerThatOnlyCallsToolsHasNoContent() {
    upstream =
        new FakeUpstream(
            json(
                200,
                """
                {"id":"msg_03","type":"message","role":"assistant","model":"claude-sonnet-4-5",
                 "content":[{"type":"tool_use","id":"toolu_9","name":"f","input":{"a":1}}],
                 "stop_reason":"tool_use","usage":{"input_tokens":5,"output_tokens":6}}
                """));
    ProviderAnswer answer = answer(provider(2), call(0));
    assertThat(answer.message().hasContent()).isFalse();
    assertThat(answer.message().toolCalls()).hasSize(1);
  }

  @Test
  void unparsableToolArgumentsAreRefusedWithoutCallingAnthropic() {
    upstream = new FakeUpstream(json(200, OK_BODY));
    for (String arguments : List.of("{\"city\":", "[1,2]", "\"text\"")) {
      ChatRequest request =
          new ChatRequest(
              "anthropic:claude",
              List.of(
                  ChatMessage.of("user", "hi"),
                  ChatMessage.assistant(null, List.of(ToolCall.function("c1", "f", arguments)))),
              null,
              null,
              null,
              null,
              null,
              null);
      ProviderException e = failure(provider(2), call(request, 0));
      assertThat(e.kind()).isEqualTo(Kind.REFUSED);
      assertThat(e.getMessage())
          .isEqualTo(
              "the request cannot be sent to Anthropic: the arguments of a tool call are not a"
                  + " JSON object");
    }
    assertThat(upstream.attempts()).isZero();
  }
}

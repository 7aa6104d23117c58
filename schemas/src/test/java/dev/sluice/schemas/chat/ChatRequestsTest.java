package dev.sluice.schemas.chat;

import static dev.sluice.schemas.Fixtures.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.sluice.schemas.Json;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ChatRequestsTest {

  private static final String USER_HI = "{\"role\":\"user\",\"content\":\"hi\"}";

  /** A minimal valid request with {@code extra} (a JSON members fragment) appended. */
  private static JsonNode body(String extra) {
    return json(
        "{\"model\":\"gpt-4o-mini\",\"messages\":["
            + USER_HI
            + "]"
            + (extra.isEmpty() ? "" : ",")
            + extra
            + "}");
  }

  private static ChatRequest parse(JsonNode body) {
    try {
      return ChatRequests.parse(body);
    } catch (InvalidChatRequest e) {
      throw new AssertionError("refused: " + e.code() + " " + e.param() + " " + e.getMessage());
    }
  }

  private static InvalidChatRequest refusal(JsonNode body) {
    InvalidChatRequest e =
        catchThrowableOfType(InvalidChatRequest.class, () -> ChatRequests.parse(body));
    assertThat(e).as("refused").isNotNull();
    return e;
  }

  private static void assertRefused(JsonNode body, String code, String param) {
    InvalidChatRequest e = refusal(body);
    assertThat(e.code()).isEqualTo(code);
    assertThat(e.param()).isEqualTo(param);
    assertThat(e.getMessage()).isNotBlank();
  }

  @Nested
  class Accepts {
    @Test
    void aMinimalRequest() {
      ChatRequest request = parse(body(""));
      assertThat(request.model()).isEqualTo("gpt-4o-mini");
      assertThat(request.messages()).containsExactly(ChatMessage.of("user", "hi"));
      assertThat(request.maxTokens()).isNull();
      assertThat(request.temperature()).isNull();
      assertThat(request.topP()).isNull();
      assertThat(request.stop()).isNull();
      assertThat(request.user()).isNull();
      assertThat(request.context()).isNull();
    }

    @Test
    void everyFieldItReads() {
      ChatRequest request =
          parse(
              body(
                  "\"max_tokens\":100,\"temperature\":0.7,\"top_p\":0.5,\"stop\":[\"a\",\"b\"],"
                      + "\"user\":\"u-1\",\"stream\":false,\"n\":1"));
      assertThat(request.maxTokens()).isEqualTo(100);
      assertThat(request.temperature()).isEqualTo(0.7);
      assertThat(request.topP()).isEqualTo(0.5);
      assertThat(request.stop()).containsExactly("a", "b");
      assertThat(request.user()).isEqualTo("u-1");
    }

    @Test
    void theReqWrapper() {
      ChatRequest wrapped = parse(json("{\"req\":" + body("\"max_tokens\":5") + "}"));
      assertThat(wrapped).isEqualTo(parse(body("\"max_tokens\":5")));
      assertThat(ChatRequests.unwrap(json("{\"req\":{\"model\":\"m\"}}")))
          .isEqualTo(json("{\"model\":\"m\"}"));
    }

    @Test
    void aReqFieldNextToOtherFieldsAsAPlainRequest() {
      // Only an object whose single field is "req" is the wrapper.
      ChatRequest request = parse(body("\"req\":{\"model\":\"other\"}"));
      assertThat(request.model()).isEqualTo("gpt-4o-mini");
      assertThat(ChatRequests.unwrap(null)).isNull();
      assertThat(ChatRequests.unwrap(json("{\"req\":\"x\"}"))).isEqualTo(json("{\"req\":\"x\"}"));
    }

    @Test
    void maxCompletionTokensAsMaxTokens() {
      assertThat(parse(body("\"max_completion_tokens\":64")).maxTokens()).isEqualTo(64);
    }

    @Test
    void maxCompletionTokensOverMaxTokens() {
      assertThat(parse(body("\"max_tokens\":500,\"max_completion_tokens\":64")).maxTokens())
          .isEqualTo(64);
      assertThat(parse(body("\"max_tokens\":500,\"max_completion_tokens\":null")).maxTokens())
          .isEqualTo(500);
    }

    @Test
    void theLargestIntMaxTokens() {
      assertThat(parse(body("\"max_tokens\":2147483647")).maxTokens()).isEqualTo(Integer.MAX_VALUE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"system", "developer", "user", "assistant", "tool"})
    void everyOpenAiRole(String role) {
      String answers = "tool".equals(role) ? ",\"tool_call_id\":\"call_1\"" : "";
      JsonNode body =
          json(
              "{\"model\":\"m\",\"messages\":[{\"role\":\""
                  + role
                  + "\",\"content\":\"x\""
                  + answers
                  + "}]}");
      assertThat(parse(body).messages().get(0).role()).isEqualTo(role);
    }

    @Test
    void anyRoleStringAndAnEmptyMessageList() {
      // Allowed roles and a non-empty list are the validation stage's checks, not the parser's.
      assertThat(
              parse(json("{\"model\":\"m\",\"messages\":[{\"role\":\"robot\",\"content\":\"x\"}]}"))
                  .messages())
          .hasSize(1);
      assertThat(parse(json("{\"model\":\"m\",\"messages\":[]}")).messages()).isEmpty();
    }

    @Test
    void contentAsAnArrayOfTextParts() {
      ChatRequest request =
          parse(
              json(
                  "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"name\":\"alice\",\"content\":["
                      + "{\"type\":\"text\",\"text\":\"first\"},"
                      + "{\"type\":\"text\",\"text\":\"second\",\"cache_control\":{}}]}]}"));
      ChatMessage message = request.messages().get(0);
      assertThat(message.stringForm()).isFalse();
      assertThat(message.name()).isEqualTo("alice");
      assertThat(message.content())
          .containsExactly(ContentPart.text("first"), ContentPart.text("second"));
      assertThat(message.text()).isEqualTo("first\nsecond");
      assertThat(request.lastUserText()).isEqualTo("first\nsecond");
    }

    @Test
    void contentAsAString() {
      ChatMessage message = parse(body("")).messages().get(0);
      assertThat(message.stringForm()).isTrue();
      assertThat(message.content()).containsExactly(ContentPart.text("hi"));
    }

    @Test
    void emptyContent() {
      JsonNode body =
          json(
              "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"\"},"
                  + "{\"role\":\"user\",\"content\":[]}]}");
      assertThat(parse(body).messages()).extracting(ChatMessage::text).containsExactly("", "");
    }

    @Test
    void aStopString() {
      assertThat(parse(body("\"stop\":\"END\"")).stop()).containsExactly("END");
      assertThat(parse(body("\"stop\":[]")).stop()).isEmpty();
    }

    @Test
    void boundaryTemperaturesAndTopP() {
      assertThat(parse(body("\"temperature\":0,\"top_p\":0")).temperature()).isZero();
      assertThat(parse(body("\"temperature\":2,\"top_p\":1")).temperature()).isEqualTo(2.0);
      assertThat(parse(body("\"temperature\":1.5")).temperature()).isEqualTo(1.5);
    }

    @Test
    void fieldsOutsideTheApiAreKeptForTheValidationStage() {
      ChatRequest request = parse(body("\"x_vendor_flag\":true,\"seed\":7"));
      assertThat(request.options().unknownFields()).containsOnlyKeys("x_vendor_flag");
      assertThat(request.options().seed()).isEqualTo(7L);
    }

    @Test
    void unknownMessageFieldsIgnored() {
      JsonNode body =
          json(
              "{\"model\":\"m\",\"messages\":[{\"role\":\"tool\",\"content\":\"42\","
                  + "\"tool_call_id\":\"call_1\",\"refusal\":null}]}");
      assertThat(parse(body).messages())
          .containsExactly(
              new ChatMessage("tool", List.of(ContentPart.text("42")), true, null, null, "call_1"));
    }

    @Test
    void nullOptionalFieldsAsAbsent() {
      ChatRequest request =
          parse(
              body(
                  "\"max_tokens\":null,\"max_completion_tokens\":null,\"temperature\":null,"
                      + "\"top_p\":null,\"stop\":null,\"user\":null,\"stream\":null,\"n\":null,"
                      + "\"context\":null"));
      assertThat(request).isEqualTo(parse(body("")));
      JsonNode namedNull =
          json(
              "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\",\"name\":null}]}");
      assertThat(parse(namedNull).messages().get(0).name()).isNull();
    }

    @Test
    void streamFalseAndNOne() {
      assertThat(parse(body("\"stream\":false,\"n\":1"))).isEqualTo(parse(body("")));
    }
  }

  @Nested
  class RetrievalContext {
    @Test
    void sourceChunksAndPerChunkSource() {
      ChatRequest request =
          parse(
              body(
                  "\"context\":{\"source\":\"kb://handbook\",\"chunks\":["
                      + "{\"id\":\"c1\",\"content\":\"one\"},"
                      + "{\"id\":\"c2\",\"content\":\"two\",\"source\":\"https://x.example\"}]}"));
      assertThat(request.context())
          .isEqualTo(
              new RagContext(
                  "kb://handbook",
                  List.of(
                      new RagChunk("c1", "one", null),
                      new RagChunk("c2", "two", "https://x.example"))));
    }

    @Test
    void anIntegerIdAsItsText() {
      ChatRequest request = parse(body("\"context\":{\"chunks\":[{\"id\":7,\"content\":\"x\"}]}"));
      assertThat(request.context().source()).isNull();
      assertThat(request.context().chunks()).containsExactly(new RagChunk("7", "x", null));
    }

    @Test
    void noChunks() {
      assertThat(parse(body("\"context\":{\"chunks\":[]}")).context().chunks()).isEmpty();
    }

    @Test
    void unknownContextFieldsIgnored() {
      ChatRequest request =
          parse(
              body(
                  "\"context\":{\"retriever\":\"bm25\",\"chunks\":"
                      + "[{\"id\":\"a\",\"content\":\"x\",\"score\":0.9}]}"));
      assertThat(request.context().chunks()).containsExactly(new RagChunk("a", "x", null));
    }

    @ParameterizedTest
    @CsvSource(
        delimiter = '|',
        value = {
          "\"context\":[]                                               | context",
          "\"context\":\"kb\"                                           | context",
          "\"context\":{}                                               | context.chunks",
          "\"context\":{\"chunks\":{}}                                  | context.chunks",
          "\"context\":{\"chunks\":[\"x\"]}                             | context.chunks[0]",
          "\"context\":{\"chunks\":[{\"content\":\"x\"}]}               | context.chunks[0].id",
          "\"context\":{\"chunks\":[{\"id\":1.5,\"content\":\"x\"}]}    | context.chunks[0].id",
          "\"context\":{\"chunks\":[{\"id\":null,\"content\":\"x\"}]}   | context.chunks[0].id",
          "\"context\":{\"chunks\":[{\"id\":[],\"content\":\"x\"}]}     | context.chunks[0].id",
          "\"context\":{\"chunks\":[{\"id\":\"a\"}]}                    | context.chunks[0].content",
          "\"context\":{\"chunks\":[{\"id\":\"a\",\"content\":3}]}      | context.chunks[0].content",
          "\"context\":{\"chunks\":[{\"id\":\"a\",\"content\":\"x\",\"source\":1}]} | context.chunks[0].source",
          "\"context\":{\"chunks\":[{\"id\":\"a\",\"content\":\"x\"},7]} | context.chunks[1]"
        })
    void refusesAMalformedContext(String extra, String param) {
      assertRefused(body(extra), "invalid_request", param);
    }

    @Test
    void refusesANonStringContextSource() {
      InvalidChatRequest e = refusal(body("\"context\":{\"source\":5,\"chunks\":[]}"));
      assertThat(e.code()).isEqualTo("invalid_request");
      assertThat(e.param()).startsWith("context.source");
    }
  }

  @Nested
  class Refuses {
    @Test
    void streaming() {
      assertRefused(body("\"stream\":true"), "stream_unsupported", "stream");
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"true\"", "1", "0", "{}"})
    void aNonBooleanStream(String value) {
      assertRefused(body("\"stream\":" + value), "invalid_request", "stream");
    }

    @ParameterizedTest
    @ValueSource(strings = {"2", "10", "0", "-1", "1.5", "\"1\"", "true", "9223372036854775807"})
    void anyNButOne(String value) {
      assertRefused(body("\"n\":" + value), "invalid_request", "n");
    }

    @Test
    void aNonTextPart() {
      JsonNode body =
          json(
              "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":["
                  + "{\"type\":\"text\",\"text\":\"look\"},"
                  + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://x/y.png\"}}]}]}");
      assertRefused(body, "invalid_request", "messages[0].content[1].type");
    }

    @ParameterizedTest
    @CsvSource(
        delimiter = '|',
        value = {
          "[\"text\"]                                   | messages[0].content[0]",
          "[{\"text\":\"x\"}]                           | messages[0].content[0]",
          "[{\"type\":1,\"text\":\"x\"}]                | messages[0].content[0]",
          "[null]                                       | messages[0].content[0]",
          "[{\"type\":\"text\"}]                        | messages[0].content[0].text",
          "[{\"type\":\"text\",\"text\":1}]             | messages[0].content[0].text",
          "[{\"type\":\"input_audio\",\"input_audio\":{}}] | messages[0].content[0].type",
          "42                                           | messages[0].content",
          "true                                         | messages[0].content",
          "{\"type\":\"text\",\"text\":\"x\"}           | messages[0].content",
          "null                                         | messages[0].content"
        })
    void malformedContent(String content, String param) {
      JsonNode body =
          json("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":" + content + "}]}");
      assertRefused(body, "invalid_request", param);
    }

    @Test
    void aMessageWithoutContent() {
      assertRefused(
          json("{\"model\":\"m\",\"messages\":[" + USER_HI + ",{\"role\":\"assistant\"}]}"),
          "invalid_request",
          "messages[1].content");
    }

    @ParameterizedTest
    @CsvSource(
        delimiter = '|',
        value = {
          "\"hi\"                                      | messages[0]",
          "null                                        | messages[0]",
          "[]                                          | messages[0]",
          "{\"content\":\"x\"}                         | messages[0].role",
          "{\"role\":1,\"content\":\"x\"}              | messages[0].role",
          "{\"role\":null,\"content\":\"x\"}           | messages[0].role",
          "{\"role\":\"user\",\"content\":\"x\",\"name\":7} | messages[0].name"
        })
    void malformedMessages(String message, String param) {
      assertRefused(
          json("{\"model\":\"m\",\"messages\":[" + message + "]}"), "invalid_request", param);
    }

    @ParameterizedTest
    @ValueSource(strings = {"{}", "\"hi\"", "null", "42"})
    void messagesThatAreNotAnArray(String messages) {
      assertRefused(
          json("{\"model\":\"m\",\"messages\":" + messages + "}"), "invalid_request", "messages");
    }

    @Test
    void missingMessages() {
      assertRefused(json("{\"model\":\"m\"}"), "invalid_request", "messages");
    }

    @ParameterizedTest
    @ValueSource(strings = {"5", "\"\"", "\"   \"", "null", "[\"m\"]", "{}", "true"})
    void aModelThatIsNotANonEmptyString(String model) {
      assertRefused(
          json("{\"model\":" + model + ",\"messages\":[" + USER_HI + "]}"),
          "invalid_request",
          "model");
    }

    @Test
    void missingModel() {
      assertRefused(json("{\"messages\":[" + USER_HI + "]}"), "invalid_request", "model");
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"0.5\"", "3", "2.0001", "-0.1", "true", "[]", "1e400"})
    void aTemperatureOutsideZeroToTwo(String value) {
      assertRefused(body("\"temperature\":" + value), "invalid_request", "temperature");
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"1\"", "1.01", "-1", "false"})
    void aTopPOutsideZeroToOne(String value) {
      assertRefused(body("\"top_p\":" + value), "invalid_request", "top_p");
    }

    @ParameterizedTest
    @ValueSource(
        strings = {
          "0",
          "-1",
          "1.5",
          "1.0",
          "1e3",
          "2147483648",
          "99999999999999999999999",
          "\"100\"",
          "true",
          "[1]"
        })
    void aMaxTokensThatIsNotAPositiveInt(String value) {
      assertRefused(body("\"max_tokens\":" + value), "invalid_request", "max_tokens");
      assertRefused(
          body("\"max_completion_tokens\":" + value), "invalid_request", "max_completion_tokens");
    }

    @ParameterizedTest
    @ValueSource(strings = {"5", "[\"a\",5]", "[[\"a\"]]", "{}", "[null]"})
    void aStopThatIsNotStrings(String value) {
      assertRefused(body("\"stop\":" + value), "invalid_request", "stop");
    }

    @ParameterizedTest
    @ValueSource(strings = {"5", "{}", "[\"u\"]"})
    void aNonStringUser(String value) {
      assertRefused(body("\"user\":" + value), "invalid_request", "user");
    }

    @ParameterizedTest
    @ValueSource(strings = {"[]", "\"text\"", "42", "null"})
    void aBodyThatIsNotAnObject(String text) {
      assertRefused(json(text), "invalid_request", null);
    }

    @Test
    void aJavaNull() {
      assertRefused(null, "invalid_request", null);
      assertRefused(NullNode.getInstance(), "invalid_request", null);
    }

    @Test
    void theFirstProblemInFieldOrderOfChecks() {
      // model before stream before messages: an answer names one field, deterministically.
      InvalidChatRequest e =
          refusal(json("{\"messages\":5,\"stream\":true,\"model\":7,\"temperature\":9}"));
      assertThat(e.param()).isEqualTo("model");
    }
  }

  /** Error messages and params name fields, never values: values are prompts and secrets. */
  @Nested
  class NeverEchoValues {
    static final String SECRET = "sk-live-SECRET-4111111111111111";

    @ParameterizedTest
    @ValueSource(
        strings = {
          "{\"model\":{\"k\":\"%s\"},\"messages\":[]}",
          "{\"model\":\"m\",\"messages\":\"%s\"}",
          "{\"model\":\"m\",\"messages\":[\"%s\"]}",
          "{\"model\":\"m\",\"messages\":[{\"role\":[\"%s\"],\"content\":\"x\"}]}",
          "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":{\"t\":\"%s\"}}]}",
          "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[\"%s\"]}]}",
          "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"%s\"}]}]}",
          "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":{\"x\":\"%s\"}}]}]}",
          "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\",\"name\":[\"%s\"]}]}",
          "{\"model\":\"m\",\"messages\":[],\"stream\":\"%s\"}",
          "{\"model\":\"m\",\"messages\":[],\"n\":\"%s\"}",
          "{\"model\":\"m\",\"messages\":[],\"temperature\":\"%s\"}",
          "{\"model\":\"m\",\"messages\":[],\"top_p\":\"%s\"}",
          "{\"model\":\"m\",\"messages\":[],\"max_tokens\":\"%s\"}",
          "{\"model\":\"m\",\"messages\":[],\"max_completion_tokens\":\"%s\"}",
          "{\"model\":\"m\",\"messages\":[],\"stop\":[\"ok\",{\"s\":\"%s\"}]}",
          "{\"model\":\"m\",\"messages\":[],\"user\":[\"%s\"]}",
          "{\"model\":\"m\",\"messages\":[],\"context\":\"%s\"}",
          "{\"model\":\"m\",\"messages\":[],\"context\":{\"source\":[\"%s\"],\"chunks\":[]}}",
          "{\"model\":\"m\",\"messages\":[],\"context\":{\"chunks\":\"%s\"}}",
          "{\"model\":\"m\",\"messages\":[],\"context\":{\"chunks\":[\"%s\"]}}",
          "{\"model\":\"m\",\"messages\":[],\"context\":{\"chunks\":[{\"id\":{\"x\":\"%s\"},\"content\":\"c\"}]}}",
          "{\"model\":\"m\",\"messages\":[],\"context\":{\"chunks\":[{\"id\":\"a\",\"content\":[\"%s\"]}]}}",
          "{\"model\":\"m\",\"messages\":[],\"context\":{\"chunks\":[{\"id\":\"a\",\"content\":\"c\",\"source\":[\"%s\"]}]}}",
          "[\"%s\"]"
        })
    void inTheMessageOrTheParam(String template) {
      InvalidChatRequest e = refusal(json(template.formatted(SECRET)));
      assertThat(e.getMessage()).doesNotContain("sk-live").doesNotContain("4111");
      assertThat(String.valueOf(e.param())).doesNotContain("sk-live").doesNotContain("4111");
      assertThat(e.toString()).doesNotContain("sk-live");
      assertThat(e.getCause()).isNull();
    }

    @Test
    void norWhenAMessageIsReadThroughJackson() {
      String wire = "{\"role\":\"user\",\"content\":[{\"type\":\"" + SECRET + "\"}]}";
      Throwable e =
          catchThrowableOfType(
              Exception.class, () -> Json.mapper().readValue(wire, ChatMessage.class));
      assertThat(e).isNotNull();
      assertThat(e.getMessage()).doesNotContain("sk-live");
    }
  }

  /** Parser bugs found while writing these tests, kept as regressions. */
  @Nested
  class Regressions {
    @Test
    void contextSourceParamIsContextSource() {
      assertRefused(
          body("\"context\":{\"source\":5,\"chunks\":[]}"), "invalid_request", "context.source");
    }

    @Test
    void aHugeNIsRefused() {
      assertRefused(body("\"n\":18446744073709551617"), "invalid_request", "n");
    }
  }

  @Nested
  class ToolCalling {
    private static final String TOOLS =
        "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
            + "\"description\":\"Weather for a city\",\"parameters\":{\"type\":\"object\","
            + "\"properties\":{\"city\":{\"type\":\"string\"}}},\"strict\":true}}]";

    @Test
    void toolsChoiceAndParallelCallsAreKept() {
      ChatRequest request =
          parse(
              body(
                  TOOLS
                      + ",\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"get_weather\"}},"
                      + "\"parallel_tool_calls\":false"));
      assertThat(request.tools()).hasSize(1);
      FunctionDefinition function = request.tools().get(0).function();
      assertThat(function.name()).isEqualTo("get_weather");
      assertThat(function.description()).isEqualTo("Weather for a city");
      assertThat(function.parameters().path("properties").has("city")).isTrue();
      assertThat(function.strict()).isTrue();
      assertThat(request.toolChoice()).isEqualTo(ToolChoice.function("get_weather"));
      assertThat(request.parallelToolCalls()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "auto", "required"})
    void toolChoiceModes(String mode) {
      assertThat(parse(body(TOOLS + ",\"tool_choice\":\"" + mode + "\"")).toolChoice())
          .isEqualTo(ToolChoice.of(mode));
    }

    @Test
    void aConversationWithToolCallsAndResults() {
      JsonNode body =
          json(
              "{\"model\":\"m\",\"messages\":["
                  + "{\"role\":\"user\",\"content\":\"weather in Oslo?\"},"
                  + "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"call_1\","
                  + "\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
                  + "\"arguments\":\"{\\\"city\\\":\\\"Oslo\\\"}\"}}]},"
                  + "{\"role\":\"tool\",\"tool_call_id\":\"call_1\",\"content\":\"12C\"}]}");
      ChatRequest request = parse(body);
      ChatMessage assistant = request.messages().get(1);
      assertThat(assistant.hasContent()).isFalse();
      assertThat(assistant.text()).isEmpty();
      assertThat(assistant.toolCalls())
          .containsExactly(ToolCall.function("call_1", "get_weather", "{\"city\":\"Oslo\"}"));
      assertThat(request.messages().get(2).toolCallId()).isEqualTo("call_1");
      assertThat(assistant.toString()).doesNotContain("Oslo");
    }

    @ParameterizedTest
    @CsvSource(
        delimiter = '|',
        value = {
          "\"tools\":{}|tools",
          "\"tools\":[{\"type\":\"retrieval\"}]|tools[0].type",
          "\"tools\":[{\"type\":\"function\"}]|tools[0].function",
          "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"has space\"}}]|tools[0].function.name",
          "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"parameters\":[]}}]|tools[0].function.parameters",
          "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"strict\":\"yes\"}}]|tools[0].function.strict",
          "\"tool_choice\":\"sometimes\"|tool_choice",
          "\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"unoffered\"}}|tool_choice",
          "\"parallel_tool_calls\":\"no\"|parallel_tool_calls"
        })
    void malformedToolFieldsAreRefused(String extra, String param) {
      assertThat(refusal(body(extra)).param()).isEqualTo(param);
    }

    @ParameterizedTest
    @CsvSource(
        delimiter = '|',
        value = {
          "{\"role\":\"tool\",\"content\":\"x\"}|messages[0].tool_call_id",
          "{\"role\":\"user\",\"content\":\"x\",\"tool_call_id\":\"c\"}|messages[0].tool_call_id",
          "{\"role\":\"user\",\"content\":\"x\",\"tool_calls\":[]}|messages[0].tool_calls",
          "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[]}|messages[0].content",
          "{\"role\":\"assistant\",\"tool_calls\":[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}]}|messages[0].tool_calls[0].id",
          "{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"c\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":{}}}]}|messages[0].tool_calls[0].function.arguments",
          "{\"role\":\"assistant\",\"tool_calls\":{}}|messages[0].tool_calls"
        })
    void malformedToolMessagesAreRefused(String message, String param) {
      assertThat(refusal(json("{\"model\":\"m\",\"messages\":[" + message + "]}")).param())
          .isEqualTo(param);
    }

    @Test
    void tooManyTools() {
      StringBuilder tools = new StringBuilder("\"tools\":[");
      for (int i = 0; i <= ChatRequests.MAX_TOOLS; i++) {
        tools.append(i == 0 ? "" : ",");
        tools.append("{\"type\":\"function\",\"function\":{\"name\":\"f").append(i).append("\"}}");
      }
      assertThat(refusal(body(tools + "]")).param()).isEqualTo("tools");
    }

    @Test
    void theRequestSurvivesJsonAsTheTopicsWriteIt() throws Exception {
      ChatRequest request =
          parse(body(TOOLS + ",\"tool_choice\":\"required\",\"parallel_tool_calls\":true"));
      String written = Json.mapper().writeValueAsString(request);
      assertThat(Json.mapper().readValue(written, ChatRequest.class)).isEqualTo(request);
      assertThat(json(written).path("tool_choice").asText()).isEqualTo("required");
    }
  }

  /**
   * The body is read by JSON type, like the envelopes on the topics: a value of the wrong type is a
   * 400 naming the field, never converted. (A chunk id may be an integer: documented, and read as
   * its decimal text.)
   */
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "\"max_tokens\":\"100\"|max_tokens",
        "\"max_tokens\":100.0|max_tokens",
        "\"max_completion_tokens\":true|max_completion_tokens",
        "\"temperature\":\"0.5\"|temperature",
        "\"top_p\":true|top_p",
        "\"stream\":\"false\"|stream",
        "\"stream\":0|stream",
        "\"n\":\"1\"|n",
        "\"n\":1.0|n",
        "\"n\":true|n",
        "\"user\":5|user",
        "\"user\":false|user",
        "\"stop\":5|stop",
        "\"stop\":[true]|stop",
        "\"parallel_tool_calls\":\"true\"|parallel_tool_calls",
        "\"parallel_tool_calls\":1|parallel_tool_calls",
        "\"context\":{\"chunks\":[{\"id\":1.5,\"content\":\"c\"}]}|context.chunks[0].id",
        "\"context\":{\"chunks\":[{\"id\":true,\"content\":\"c\"}]}|context.chunks[0].id",
        "\"context\":{\"chunks\":[{\"id\":\"c1\",\"content\":7}]}|context.chunks[0].content"
      })
  void aValueOfTheWrongTypeIsRefusedWithItsParamNeverCoerced(String extra, String param) {
    assertRefused(body(extra), "invalid_request", param);
  }

  /** Strings besides the text are bounded, each refusal naming its field. */
  @Nested
  class Bounds {
    private static String repeat(char c, int n) {
      return String.valueOf(c).repeat(n);
    }

    @Test
    void upToFourStopSequencesOfUpTo256Characters() {
      String longest = repeat('s', ChatRequests.MAX_STOP_CHARS);
      assertThat(parse(body("\"stop\":[\"a\",\"b\",\"c\",\"" + longest + "\"]")).stop())
          .hasSize(ChatRequests.MAX_STOP_SEQUENCES);
      assertThat(parse(body("\"stop\":\"" + longest + "\"")).stop()).containsExactly(longest);

      assertRefused(body("\"stop\":[\"a\",\"b\",\"c\",\"d\",\"e\"]"), "invalid_request", "stop");
      assertRefused(body("\"stop\":\"" + longest + "s\""), "invalid_request", "stop");
      assertRefused(body("\"stop\":[\"a\",\"" + longest + "s\"]"), "invalid_request", "stop[1]");
    }

    @Test
    void aNameOfUpTo64Characters() {
      String name = repeat('n', ChatRequests.MAX_NAME_CHARS);
      String message = "{\"role\":\"user\",\"content\":\"hi\",\"name\":\"%s\"}";
      assertThat(
              parse(json("{\"model\":\"m\",\"messages\":[" + message.formatted(name) + "]}"))
                  .messages()
                  .get(0)
                  .name())
          .isEqualTo(name);
      assertRefused(
          json("{\"model\":\"m\",\"messages\":[" + message.formatted(name + "n") + "]}"),
          "invalid_request",
          "messages[0].name");
    }

    @Test
    void aUserAndAModelOfUpTo256Characters() {
      assertThat(parse(body("\"user\":\"" + repeat('u', 256) + "\"")).user()).hasSize(256);
      assertRefused(body("\"user\":\"" + repeat('u', 257) + "\""), "invalid_request", "user");
      String model = "{\"model\":\"%s\",\"messages\":[" + USER_HI + "]}";
      assertThat(parse(json(model.formatted(repeat('m', 256)))).model()).hasSize(256);
      assertRefused(json(model.formatted(repeat('m', 257))), "invalid_request", "model");
    }

    @Test
    void toolCallIdsOfUpTo256Characters() {
      String id = repeat('c', ChatRequests.MAX_ID_CHARS);
      String call =
          "{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"%s\",\"type\":\"function\","
              + "\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}]}";
      String answer = "{\"role\":\"tool\",\"content\":\"x\",\"tool_call_id\":\"%s\"}";
      parse(
          json(
              "{\"model\":\"m\",\"messages\":["
                  + call.formatted(id)
                  + ","
                  + answer.formatted(id)
                  + "]}"));
      assertRefused(
          json("{\"model\":\"m\",\"messages\":[" + call.formatted(id + "c") + "]}"),
          "invalid_request",
          "messages[0].tool_calls[0].id");
      assertRefused(
          json("{\"model\":\"m\",\"messages\":[" + answer.formatted(id + "c") + "]}"),
          "invalid_request",
          "messages[0].tool_call_id");
    }

    @Test
    void contextIdsAndSourcesAreBounded() {
      String source = repeat('s', ChatRequests.MAX_SOURCE_CHARS);
      String id = repeat('i', ChatRequests.MAX_ID_CHARS);
      String context =
          "\"context\":{\"source\":\"%s\",\"chunks\":[{\"id\":\"%s\",\"content\":\"c\",\"source\":\"%s\"}]}";
      parse(body(context.formatted(source, id, source)));
      assertRefused(
          body(context.formatted(source + "s", id, source)), "invalid_request", "context.source");
      assertRefused(
          body(context.formatted(source, id + "i", source)),
          "invalid_request",
          "context.chunks[0].id");
      assertRefused(
          body(context.formatted(source, id, source + "s")),
          "invalid_request",
          "context.chunks[0].source");
    }
  }

  @Nested
  class MessageFields {
    private JsonNode history(String assistant) {
      return json(
          "{\"model\":\"gpt-4o-mini\",\"messages\":["
              + USER_HI
              + ","
              + assistant
              + ","
              + USER_HI
              + "]}");
    }

    @Test
    void anAnswerEchoedBackAsTheSdksDoIsAccepted() {
      ChatRequest request =
          parse(
              history(
                  "{\"role\":\"assistant\",\"content\":\"hello\",\"refusal\":null,"
                      + "\"annotations\":[],\"audio\":null,\"function_call\":null}"));
      assertThat(request.messages().get(1)).isEqualTo(ChatMessage.of("assistant", "hello"));
    }

    @Test
    void anEarlierRefusalGoesOnAsTheMessagesText() {
      ChatRequest request =
          parse(
              history(
                  "{\"role\":\"assistant\",\"content\":null,"
                      + "\"refusal\":\"I can't help with that.\"}"));
      assertThat(request.messages().get(1).text()).isEqualTo("I can't help with that.");
      assertThat(request.messages().get(1).refusal()).isNull();
    }

    @Test
    void aFieldMessagesDoNotTakeIsRefusedByName() {
      assertRefused(
          history("{\"role\":\"assistant\",\"content\":\"x\",\"weight\":0}"),
          "unsupported_parameter",
          "messages[1].weight");
      InvalidChatRequest odd =
          refusal(history("{\"role\":\"assistant\",\"content\":\"x\",\"<b>\":0}"));
      assertThat(odd.param()).isEqualTo("messages[1]");
      assertThat(odd.getMessage()).doesNotContain("<b>");
    }

    @Test
    void audioAndFunctionCallsAreRefused() {
      assertRefused(
          history("{\"role\":\"assistant\",\"content\":null,\"audio\":{\"id\":\"audio_1\"}}"),
          "unsupported_parameter",
          "messages[1].audio");
      assertRefused(
          history(
              "{\"role\":\"assistant\",\"content\":null,"
                  + "\"function_call\":{\"name\":\"f\",\"arguments\":\"{}\"}}"),
          "unsupported_parameter",
          "messages[1].function_call");
    }

    @Test
    void aRefusalNeedsAnAssistantMessageWithoutContent() {
      assertRefused(
          history("{\"role\":\"assistant\",\"content\":\"x\",\"refusal\":\"no\"}"),
          "invalid_request",
          "messages[1].refusal");
      assertRefused(
          history("{\"role\":\"user\",\"content\":null,\"refusal\":\"no\"}"),
          "invalid_request",
          "messages[1].refusal");
      assertRefused(
          history("{\"role\":\"assistant\",\"refusal\":7}"),
          "invalid_request",
          "messages[1].refusal");
    }
  }
}

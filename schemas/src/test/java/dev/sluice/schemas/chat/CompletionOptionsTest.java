package dev.sluice.schemas.chat;

import static dev.sluice.schemas.Fixtures.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.schemas.chat.CompletionOptions.CapField;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every option of OpenAI's Chat Completions API is read with its bounds, or refused by name. */
class CompletionOptionsTest {
  private static JsonNode body(String extra) {
    return json(
        "{\"model\":\"openai:gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]"
            + (extra.isEmpty() ? "" : "," + extra)
            + "}");
  }

  private static CompletionOptions options(String extra) {
    try {
      return ChatRequests.parse(body(extra)).options();
    } catch (InvalidChatRequest e) {
      throw new AssertionError("refused: " + e.code() + " " + e.param() + " " + e.getMessage());
    }
  }

  private static InvalidChatRequest refusal(String extra) {
    return catchThrowableOfType(InvalidChatRequest.class, () -> ChatRequests.parse(body(extra)));
  }

  @Test
  void everyOptionIsReadAndWrittenBackUnderItsOwnName() {
    String all =
        "\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"city\","
            + "\"strict\":true,\"schema\":{\"type\":\"object\",\"properties\":{\"name\":"
            + "{\"type\":\"string\"}},\"required\":[\"name\"],\"additionalProperties\":false}}},"
            + "\"seed\":42,\"logprobs\":true,\"top_logprobs\":3,\"metadata\":{\"team\":\"search\"},"
            + "\"store\":true,\"frequency_penalty\":0.5,\"presence_penalty\":-1.5,"
            + "\"logit_bias\":{\"50256\":-100},\"reasoning_effort\":\"low\","
            + "\"service_tier\":\"flex\",\"prediction\":{\"type\":\"content\",\"content\":\"draft\"},"
            + "\"modalities\":[\"text\"],\"safety_identifier\":\"user-1\","
            + "\"prompt_cache_key\":\"k1\",\"verbosity\":\"high\"";
    CompletionOptions options = options(all);

    Map<String, Object> fields = options.fields();
    assertThat(fields.keySet())
        .containsExactly(
            "response_format",
            "seed",
            "logprobs",
            "top_logprobs",
            "metadata",
            "store",
            "frequency_penalty",
            "presence_penalty",
            "logit_bias",
            "reasoning_effort",
            "service_tier",
            "prediction",
            "modalities",
            "safety_identifier",
            "prompt_cache_key",
            "verbosity");
    JsonNode written = json(dev.sluice.schemas.Json.mapper().valueToTree(fields).toString());
    assertThat(written).isEqualTo(json("{" + all + "}"));
    assertThat(options.wantsJson()).isTrue();
    assertThat(options.texts())
        .containsExactly(
            Map.entry("prediction", "draft"),
            Map.entry(
                "response_format",
                json("{" + all + "}").at("/response_format/json_schema/schema").toString()));
    assertThat(options.unknownFields()).isEmpty();
  }

  @Test
  void theCapKeepsTheNameItCameUnder() {
    assertThat(options("\"max_completion_tokens\":50").capField())
        .isEqualTo(CapField.MAX_COMPLETION_TOKENS);
    assertThat(options("\"max_tokens\":50").capField()).isEqualTo(CapField.MAX_TOKENS);
    assertThat(options("").capField()).isEqualTo(CapField.MAX_TOKENS);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "\"response_format\":\"json\"|response_format",
        "\"response_format\":{\"type\":\"yaml\"}|response_format.type",
        "\"response_format\":{\"type\":\"json_schema\"}|response_format.json_schema",
        "\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"a b\"}}"
            + "|response_format.json_schema.name",
        "\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"a\","
            + "\"schema\":[]}}|response_format.json_schema.schema",
        "\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"a\","
            + "\"strict\":\"yes\"}}|response_format.json_schema.strict",
        "\"seed\":1.5|seed",
        "\"seed\":\"7\"|seed",
        "\"logprobs\":1|logprobs",
        "\"top_logprobs\":3|top_logprobs",
        "\"logprobs\":true,\"top_logprobs\":21|top_logprobs",
        "\"metadata\":{\"k\":1}|metadata",
        "\"metadata\":[]|metadata",
        "\"store\":\"true\"|store",
        "\"frequency_penalty\":2.5|frequency_penalty",
        "\"presence_penalty\":\"high\"|presence_penalty",
        "\"logit_bias\":{\"hello\":1}|logit_bias",
        "\"logit_bias\":{\"1\":101}|logit_bias",
        "\"logit_bias\":{\"1\":1.5}|logit_bias",
        "\"reasoning_effort\":\"Very High!\"|reasoning_effort",
        "\"service_tier\":3|service_tier",
        "\"prediction\":{\"type\":\"text\",\"content\":\"x\"}|prediction",
        "\"prediction\":{\"type\":\"content\",\"content\":3}|prediction.content",
        "\"prediction\":{\"type\":\"content\",\"content\":[{\"type\":\"image_url\"}]}"
            + "|prediction.content[0]",
        "\"modalities\":\"text\"|modalities",
        "\"verbosity\":\"\"|verbosity",
      })
  void aWrongTypeOrValueIsRefusedNamingTheField(String extra, String param) {
    InvalidChatRequest refused = refusal(extra);
    assertThat(refused).as(extra).isNotNull();
    assertThat(refused.code()).isEqualTo("invalid_request");
    assertThat(refused.param()).isEqualTo(param);
  }

  @Test
  void metadataIsHeldToOpenAisBounds() {
    StringBuilder pairs = new StringBuilder();
    for (int i = 0; i < 17; i++) {
      pairs.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":\"v\"");
    }
    assertThat(refusal("\"metadata\":{" + pairs + "}").param()).isEqualTo("metadata");
    assertThat(refusal("\"metadata\":{\"" + "k".repeat(65) + "\":\"v\"}").param())
        .isEqualTo("metadata");
    assertThat(refusal("\"metadata\":{\"k\":\"" + "v".repeat(513) + "\"}").param())
        .isEqualTo("metadata");
    assertThat(refusal("\"safety_identifier\":\"" + "s".repeat(65) + "\"").param())
        .isEqualTo("safety_identifier");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "\"audio\":{\"voice\":\"alloy\",\"format\":\"mp3\"}|audio",
        "\"modalities\":[\"text\",\"audio\"]|modalities",
        "\"web_search_options\":{}|web_search_options",
        "\"functions\":[]|functions",
        "\"function_call\":\"auto\"|function_call",
        "\"stream_options\":{\"include_usage\":true}|stream_options",
      })
  void whatNoGuardrailCouldSeeIsRefusedAsUnsupported(String extra, String param) {
    InvalidChatRequest refused = refusal(extra);
    assertThat(refused.code()).isEqualTo("unsupported_parameter");
    assertThat(refused.param()).isEqualTo(param);
  }

  @Test
  void unknownFieldsAreKeptInOrderAndNamesThatAreNotParametersAreRefused() {
    CompletionOptions options = options("\"zeta\":1,\"alpha\":{\"b\":[1,2]}");
    assertThat(options.unknownFields().keySet()).containsExactly("zeta", "alpha");
    assertThat(options.fields().keySet()).containsExactly("zeta", "alpha");

    InvalidChatRequest strange = refusal("\"bad name\\n\":1");
    assertThat(strange.code()).isEqualTo("unsupported_parameter");
    assertThat(strange.param()).isNull();
    assertThat(strange.getMessage()).doesNotContain("bad name");

    StringBuilder many = new StringBuilder();
    for (int i = 0; i < 33; i++) {
      many.append(i == 0 ? "" : ",").append("\"x").append(i).append("\":1");
    }
    assertThat(refusal(many.toString()).code()).isEqualTo("unsupported_parameter");
  }

  @Test
  void toStringNamesFieldsAndNeverTheirValues() {
    CompletionOptions options =
        options(
            "\"metadata\":{\"email\":\"jane@example.com\"},"
                + "\"prediction\":{\"type\":\"content\",\"content\":\"secret draft\"}");
    assertThat(options.toString())
        .contains("metadata", "prediction")
        .doesNotContain("jane@example.com", "secret draft");
    assertThat(List.of(options.toString())).noneMatch(s -> s.contains("email"));
  }
}

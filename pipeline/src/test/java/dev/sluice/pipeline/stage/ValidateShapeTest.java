package dev.sluice.pipeline.stage;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.pipeline.Envelopes;
import dev.sluice.schemas.Json;
import dev.sluice.schemas.reply.ErrorCode;
import org.junit.jupiter.api.Test;

class ValidateShapeTest {

  @Test
  void typesAWellFormedRequest() {
    ValidateShape.Result result = ValidateShape.apply(Envelopes.chat("stub", "hello"));

    assertThat(result).isInstanceOf(ValidateShape.Valid.class);
    var request = ((ValidateShape.Valid) result).request();
    assertThat(request.model()).isEqualTo("stub");
    assertThat(request.messages()).hasSize(2);
    assertThat(request.lastUserText()).isEqualTo("hello");
  }

  @Test
  void acceptsTheWrapperForm() {
    ObjectNode wrapped = Json.mapper().createObjectNode();
    wrapped.set("req", Envelopes.chat("stub", "wrapped"));

    ValidateShape.Result result = ValidateShape.apply(wrapped);

    assertThat(((ValidateShape.Valid) result).request().lastUserText()).isEqualTo("wrapped");
  }

  @Test
  void refusesAMissingRequest() {
    assertInvalid(ValidateShape.apply(null), ErrorCode.INVALID_REQUEST, null);
    assertInvalid(ValidateShape.apply(Json.mapper().nullNode()), ErrorCode.INVALID_REQUEST, null);
    assertInvalid(
        ValidateShape.apply(Json.mapper().createArrayNode()), ErrorCode.INVALID_REQUEST, null);
  }

  @Test
  void refusesStreamingWithItsOwnCode() {
    ObjectNode request = Envelopes.chat("stub", "x");
    request.put("stream", true);
    assertInvalid(ValidateShape.apply(request), ErrorCode.STREAM_UNSUPPORTED, "stream");
  }

  @Test
  void namesTheFieldThatIsWrong() {
    ObjectNode notArray = Envelopes.chat("stub", "x");
    notArray.put("messages", "hello");
    assertInvalid(ValidateShape.apply(notArray), ErrorCode.INVALID_REQUEST, "messages");

    ObjectNode noModel = Envelopes.chat("stub", "x");
    noModel.remove("model");
    assertInvalid(ValidateShape.apply(noModel), ErrorCode.INVALID_REQUEST, "model");

    ObjectNode noContent = Envelopes.chat("stub", "x");
    ((ObjectNode) noContent.get("messages").get(1)).remove("content");
    assertInvalid(ValidateShape.apply(noContent), ErrorCode.INVALID_REQUEST, "messages[1].content");

    ObjectNode twoChoices = Envelopes.chat("stub", "x");
    twoChoices.put("n", 2);
    assertInvalid(ValidateShape.apply(twoChoices), ErrorCode.INVALID_REQUEST, "n");
  }

  @Test
  void neverEchoesTheOffendingValue() {
    ObjectNode request = Envelopes.chat("stub", "x");
    request.put("temperature", "my-secret-temperature");
    ValidateShape.Result result = ValidateShape.apply(request);
    Refusal refusal = assertInvalid(result, ErrorCode.INVALID_REQUEST, "temperature");
    assertThat(refusal.error().message()).doesNotContain("my-secret-temperature");
  }

  private static Refusal assertInvalid(ValidateShape.Result result, ErrorCode code, String param) {
    assertThat(result).isInstanceOf(ValidateShape.Invalid.class);
    Refusal refusal = ((ValidateShape.Invalid) result).refusal();
    assertThat(refusal.stage()).isEqualTo(ValidateShape.STAGE);
    assertThat(refusal.code()).isEqualTo(code);
    assertThat(refusal.code().status()).isEqualTo(400);
    assertThat(refusal.error().code()).isEqualTo(code.code());
    assertThat(refusal.error().param()).isEqualTo(param);
    return refusal;
  }
}

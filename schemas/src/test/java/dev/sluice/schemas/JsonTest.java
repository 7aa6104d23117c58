package dev.sluice.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.schemas.envelope.RequestEnvelope;
import dev.sluice.schemas.reply.Citation;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonTest {

  private static String nestedArrays(int depth) {
    return "[".repeat(depth) + "]".repeat(depth);
  }

  private static String nestedObjects(int depth) {
    return "{\"a\":".repeat(depth) + "1" + "}".repeat(depth);
  }

  @Test
  void refusesTenThousandNestedArraysQuicklyWithoutStackOverflow() {
    String hostile = nestedArrays(10_000);
    // Generous bound: this guards against a pathological parse, it is not a benchmark.
    Throwable thrown =
        assertTimeoutPreemptively(
            Duration.ofSeconds(5),
            () -> {
              try {
                Json.mapper().readTree(hostile);
                return null;
              } catch (Throwable t) {
                return t;
              }
            });
    assertThat(thrown)
        .isInstanceOf(StreamConstraintsException.class)
        .isNotInstanceOf(StackOverflowError.class);
    assertThat(thrown.getMessage()).contains("nesting depth");
  }

  @Test
  void refusesDeepObjectsToo() {
    assertThatThrownBy(() -> Json.mapper().readTree(nestedObjects(10_000)))
        .isInstanceOf(StreamConstraintsException.class);
  }

  @Test
  void refusesDeepNestingHiddenInAFieldItWouldIgnore() {
    // Unknown fields are skipped, but skipping still counts depth.
    String envelope = "{\"schemaVersion\":1,\"ignored\":" + nestedArrays(10_000) + "}";
    assertThatThrownBy(() -> Json.mapper().readValue(envelope, RequestEnvelope.class))
        .isInstanceOf(JsonProcessingException.class)
        .hasMessageContaining("nesting depth");
    // Inside a bound field Jackson wraps the constraint failure with the field's path.
    String request = "{\"schemaVersion\":1,\"request\":" + nestedArrays(10_000) + "}";
    assertThatThrownBy(() -> Json.mapper().readValue(request, RequestEnvelope.class))
        .isInstanceOf(JsonProcessingException.class)
        .hasMessageContaining("nesting depth");
  }

  @Test
  void acceptsNestingUpToTheLimit() throws Exception {
    assertThat(Json.mapper().readTree(nestedArrays(Json.MAX_NESTING_DEPTH)).isArray()).isTrue();
    assertThatThrownBy(() -> Json.mapper().readTree(nestedArrays(Json.MAX_NESTING_DEPTH + 1)))
        .isInstanceOf(StreamConstraintsException.class);
  }

  @Test
  void theLimitLeavesRoomForARealRequest() throws Exception {
    // envelope > request > messages > message > content > part is depth 6.
    JsonNode envelope = Fixtures.toTree(Fixtures.requestEnvelope(Fixtures.fullChatRequestJson()));
    assertThat(Json.mapper().readTree(envelope.toString())).isEqualTo(envelope);
  }

  @ParameterizedTest
  @ValueSource(strings = {"{\"id\":\"a\"} x", "{\"id\":\"a\"}{}", "{\"id\":\"a\"}]"})
  void refusesTrailingTokens(String text) {
    assertThatThrownBy(() -> Json.mapper().readValue(text, Citation.class))
        .isInstanceOf(JsonProcessingException.class);
  }

  @Test
  void ignoresUnknownFieldsAndOmitsNulls() throws Exception {
    Citation citation =
        Json.mapper().readValue("{\"id\":\"a\",\"score\":0.5,\"extra\":{}}", Citation.class);
    assertThat(citation).isEqualTo(new Citation("a", null));
    assertThat(Json.mapper().writeValueAsString(citation)).isEqualTo("{\"id\":\"a\"}");
  }

  @Test
  void isOneSharedInstance() {
    assertThat(Json.mapper()).isSameAs(Json.mapper());
  }
}

package dev.sluice.ingress;

import static dev.sluice.ingress.IngressUnderTest.MAX_REQUEST_BYTES;
import static dev.sluice.ingress.IngressUnderTest.chatBody;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.auth.TestTokens;
import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Requests the ingress refuses before publishing anything: bodies it cannot read (413, 415, 422),
 * chat requests of the wrong shape (400) and routes it does not serve (404, 405). Each answers in
 * OpenAI's error shape, quotes neither the token nor the body, and leaves {@code llm.requests}
 * untouched.
 */
class GatewayAppRefusalTest {
  private static IngressUnderTest ingress;
  private static String acmeToken;

  @BeforeAll
  static void start() {
    ingress = IngressUnderTest.start();
    acmeToken = TestTokens.mint("acme", Instant.now());
  }

  @AfterAll
  static void stop() {
    ingress.close();
  }

  @BeforeEach
  void reset() {
    ingress.reset();
  }

  // --- requests the ingress refuses as invalid (400) -------------------------------------------

  @Test
  void refusesStreaming() {
    String marker = marker();
    String body =
        "{\"model\":\"stub\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\""
            + marker
            + "\"}]}";

    JsonNode error =
        assertRefused(ingress.chat(body, acmeToken), 400, "stream_unsupported", marker);

    assertThat(error.path("param").asText()).isEqualTo("stream");
  }

  @Test
  void refusesAudioAnswersByNameAsUnsupported() {
    String marker = marker();
    String body =
        "{\"model\":\"stub\",\"audio\":{\"voice\":\"alloy\",\"format\":\"mp3\"},"
            + "\"messages\":[{\"role\":\"user\",\"content\":\""
            + marker
            + "\"}]}";

    JsonNode error =
        assertRefused(ingress.chat(body, acmeToken), 400, "unsupported_parameter", marker);

    assertThat(error.path("param").asText()).isEqualTo("audio");
    assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
  }

  @Test
  void refusesAnOptionOfTheWrongTypeNamingIt() {
    String marker = marker();
    String body =
        "{\"model\":\"stub\",\"seed\":\"7\",\"messages\":[{\"role\":\"user\",\"content\":\""
            + marker
            + "\"}]}";

    JsonNode error = assertRefused(ingress.chat(body, acmeToken), 400, "invalid_request", marker);

    assertThat(error.path("param").asText()).isEqualTo("seed");
  }

  @Test
  void refusesMoreThanOneChoice() {
    String marker = marker();
    String body =
        "{\"model\":\"stub\",\"n\":2,\"messages\":[{\"role\":\"user\",\"content\":\""
            + marker
            + "\"}]}";

    JsonNode error = assertRefused(ingress.chat(body, acmeToken), 400, "invalid_request", marker);

    assertThat(error.path("param").asText()).isEqualTo("n");
  }

  @Test
  void refusesImageParts() {
    String marker = marker();
    String body =
        "{\"model\":\"stub\",\"messages\":[{\"role\":\"user\",\"content\":["
            + "{\"type\":\"text\",\"text\":\""
            + marker
            + "\"},{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://example.com/"
            + marker
            + ".png\"}}]}]}";

    JsonNode error = assertRefused(ingress.chat(body, acmeToken), 400, "invalid_request", marker);

    assertThat(error.path("param").asText()).isEqualTo("messages[0].content[1].type");
  }

  @Test
  void refusesAModelThatIsNotAString() {
    String marker = marker();
    String body = "{\"model\":5,\"messages\":[{\"role\":\"user\",\"content\":\"" + marker + "\"}]}";

    JsonNode error = assertRefused(ingress.chat(body, acmeToken), 400, "invalid_request", marker);

    assertThat(error.path("param").asText()).isEqualTo("model");
  }

  @Test
  void refusesMessagesThatAreNotAnArray() {
    String marker = marker();
    String body =
        "{\"model\":\"stub\",\"messages\":{\"role\":\"user\",\"content\":\"" + marker + "\"}}";

    JsonNode error = assertRefused(ingress.chat(body, acmeToken), 400, "invalid_request", marker);

    assertThat(error.path("param").asText()).isEqualTo("messages");
  }

  @Test
  void refusesABodyThatIsNotAnObject() {
    assertRefused(ingress.chat("[]", acmeToken), 400, "invalid_request");
  }

  @Test
  void refusesAnOverlongIdempotencyKey() {
    String marker = marker();
    String key = marker + "-".repeat(300);

    JsonNode error =
        assertRefused(
            ingress.send(
                ingress
                    .chatRequest(acmeToken, "application/json")
                    .header("Idempotency-Key", key)
                    .POST(HttpRequest.BodyPublishers.ofString(chatBody("fine body")))
                    .build()),
            400,
            "invalid_request",
            marker);

    assertThat(error.path("param").asText()).isEqualTo("Idempotency-Key");
  }

  @Test
  void answersUnknownRoutesAndMethodsInTheErrorShape() {
    assertRefused(
        ingress.send(
            ingress
                .request("/v1/embeddings")
                .header("Authorization", "Bearer " + acmeToken)
                .build()),
        404,
        "not_found");
    assertRefused(
        ingress.send(
            ingress
                .request("/v1/chat/completions")
                .header("Authorization", "Bearer " + acmeToken)
                .build()),
        405,
        "method_not_allowed");
  }

  // --- bodies the ingress cannot read (413, 415, 422) ------------------------------------------

  @Test
  void refusesMalformedJson() {
    String marker = marker();
    String body = "{\"model\":\"stub\",\"messages\":[{\"role\":\"user\",\"content\":\"" + marker;

    assertRefused(ingress.chat(body, acmeToken), 422, "invalid_json", marker);
  }

  @Test
  void refusesAnEmptyBody() {
    assertRefused(
        ingress.send(
            ingress
                .chatRequest(acmeToken, "application/json")
                .POST(HttpRequest.BodyPublishers.noBody())
                .build()),
        422,
        "invalid_json");
  }

  @Test
  void refusesInvalidUtf8() {
    String marker = marker();
    byte[] prefix =
        ("{\"model\":\"stub\",\"messages\":[{\"role\":\"user\",\"content\":\"" + marker)
            .getBytes(StandardCharsets.UTF_8);
    byte[] invalid = {(byte) 0xC3, (byte) 0x28, (byte) 0xFF, (byte) 0xFE};
    byte[] suffix = "\"}]}".getBytes(StandardCharsets.UTF_8);
    byte[] body = new byte[prefix.length + invalid.length + suffix.length];
    System.arraycopy(prefix, 0, body, 0, prefix.length);
    System.arraycopy(invalid, 0, body, prefix.length, invalid.length);
    System.arraycopy(suffix, 0, body, prefix.length + invalid.length, suffix.length);

    assertRefused(
        ingress.send(
            ingress
                .chatRequest(acmeToken, "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build()),
        422,
        "invalid_json",
        marker);
  }

  @Test
  void refusesUtf16AndUtf32BodiesWithOrWithoutAByteOrderMark() {
    String marker = marker();
    String body = chatBody(marker);
    Charset utf32 = Charset.forName("UTF-32");
    Map<String, byte[]> encodings = new LinkedHashMap<>();
    encodings.put("UTF-16LE", body.getBytes(StandardCharsets.UTF_16LE));
    encodings.put("UTF-16BE", body.getBytes(StandardCharsets.UTF_16BE));
    encodings.put("UTF-16 with BOM", body.getBytes(StandardCharsets.UTF_16));
    encodings.put("UTF-16LE with BOM", concat(bytes(0xFF, 0xFE), encodings.get("UTF-16LE")));
    encodings.put("UTF-32BE", body.getBytes(utf32));
    encodings.put("UTF-32BE with BOM", concat(bytes(0, 0, 0xFE, 0xFF), body.getBytes(utf32)));
    encodings.put("UTF-32LE", body.getBytes(Charset.forName("UTF-32LE")));

    encodings.forEach(
        (name, encoded) -> {
          JsonNode error =
              assertRefused(
                  ingress.send(
                      ingress
                          .chatRequest(acmeToken, "application/json")
                          .POST(HttpRequest.BodyPublishers.ofByteArray(encoded))
                          .build()),
                  422,
                  "invalid_json",
                  marker);
          assertThat(error.path("message").asText()).as(name).contains("must be UTF-8");
        });
  }

  @Test
  void refusesByteSequencesNoUtf8TextHas() {
    String marker = marker();
    Map<String, byte[]> sequences = new LinkedHashMap<>();
    sequences.put("overlong '/'", bytes(0xC0, 0xAF));
    sequences.put("overlong NUL", bytes(0xC0, 0x80));
    sequences.put("encoded surrogate", bytes(0xED, 0xA0, 0x80));
    sequences.put("past U+10FFFF", bytes(0xF4, 0x90, 0x80, 0x80));
    sequences.put("lone continuation", bytes(0x80));
    sequences.put("truncated at the end", bytes(0xE2, 0x82));

    sequences.forEach(
        (name, invalid) -> {
          byte[] prefix =
              ("{\"model\":\"stub\",\"messages\":[{\"role\":\"user\",\"content\":\"" + marker)
                  .getBytes(StandardCharsets.UTF_8);
          byte[] suffix = "\"}]}".getBytes(StandardCharsets.UTF_8);
          JsonNode error =
              assertRefused(
                  ingress.send(
                      ingress
                          .chatRequest(acmeToken, "application/json")
                          .POST(
                              HttpRequest.BodyPublishers.ofByteArray(
                                  concat(concat(prefix, invalid), suffix)))
                          .build()),
                  422,
                  "invalid_json",
                  marker);
          assertThat(error.path("message").asText())
              .as(name)
              .isEqualTo(
                  "the request body must be UTF-8 JSON; byte " + prefix.length + " is not UTF-8");
        });
  }

  @Test
  void refusesDeeplyNestedJsonWithoutFailing() {
    int depth = 5_000;
    String body =
        "{\"model\":\"stub\",\"messages\":[{\"role\":\"user\",\"content\":\"deep\"}],\"extra\":"
            + "[".repeat(depth)
            + "]".repeat(depth)
            + "}";
    assertThat(body.length()).isLessThan(MAX_REQUEST_BYTES);

    HttpResponse<String> response = ingress.chat(body, acmeToken);

    assertThat(response.statusCode()).isBetween(400, 499);
    IngressUnderTest.assertErrorShape(response);
    ingress.assertNothingPublished();
  }

  @Test
  void refusesABodyOverTheLimit() {
    String marker = marker();
    byte[] body = oversizedBody(marker);

    assertRefused(
        ingress.send(
            ingress
                .chatRequest(acmeToken, "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build()),
        413,
        "request_too_large",
        marker);
  }

  @Test
  void refusesAChunkedBodyOverTheLimit() {
    String marker = marker();
    byte[] body = oversizedBody(marker);

    // No Content-Length: the publisher's length is unknown, so the client sends it chunked.
    assertRefused(
        ingress.send(
            ingress
                .chatRequest(acmeToken, "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)))
                .build()),
        413,
        "request_too_large",
        marker);
  }

  @Test
  void refusesPlainText() {
    String marker = marker();
    String body = chatBody(marker);

    assertRefused(
        ingress.send(
            ingress
                .chatRequest(acmeToken, "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build()),
        415,
        "unsupported_media_type",
        marker);
  }

  @Test
  void refusesJsonInACharsetOtherThanUtf8() {
    String marker = marker();
    String body = chatBody(marker);

    for (String type :
        List.of(
            "application/json; charset=iso-8859-1",
            "application/json; charset=utf-16",
            "application/json;charset=\"UTF-32\"",
            "application/json; charset=utf-8; charset=utf-16")) {
      assertRefused(
          ingress.send(
              ingress
                  .chatRequest(acmeToken, type)
                  .POST(HttpRequest.BodyPublishers.ofString(body))
                  .build()),
          415,
          "unsupported_media_type",
          marker);
    }
  }

  // --- helpers ---------------------------------------------------------------------------------

  /** The refusal checks of {@link IngressUnderTest#assertRefused}, never echoing the token. */
  private static JsonNode assertRefused(
      HttpResponse<String> response, int status, String code, String... neverEchoed) {
    JsonNode error = ingress.assertRefused(response, status, code, neverEchoed);
    assertThat(response.body()).doesNotContain(acmeToken);
    return error;
  }

  /** A valid chat request of about 100 KiB, over the 64 KiB limit. */
  private static byte[] oversizedBody(String marker) {
    String filler = (marker + " ").repeat(100 * 1024 / (marker.length() + 1) + 1);
    byte[] body = chatBody(filler).getBytes(StandardCharsets.UTF_8);
    assertThat(body.length).isGreaterThan(MAX_REQUEST_BYTES);
    return body;
  }

  private static byte[] bytes(int... values) {
    byte[] bytes = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      bytes[i] = (byte) values[i];
    }
    return bytes;
  }

  private static byte[] concat(byte[] first, byte[] second) {
    byte[] both = Arrays.copyOf(first, first.length + second.length);
    System.arraycopy(second, 0, both, first.length, second.length);
    return both;
  }

  /** Text that must never come back in an error. */
  private static String marker() {
    return "marker-" + UUID.randomUUID();
  }
}

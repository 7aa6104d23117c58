package dev.sluice.ingress;

import static dev.sluice.ingress.RawHttp.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.auth.TestTokens;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Errors the HTTP server (Jetty) raises before the gateway's own handling sees a request come back
 * in OpenAI's error shape with a request id, never as Jetty's HTML page, and publish nothing. Sent
 * over raw sockets, since no HTTP client sends such requests.
 */
class GatewayAppHttpErrorTest {
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

  @AfterEach
  void publishedNothing() {
    ingress.assertNothingPublished();
  }

  @Test
  void headersOverTheLimitGet431() {
    String marker = "marker-" + "h".repeat(40 * 1024);

    RawHttp.Response response =
        exchange("GET /healthz HTTP/1.1\r\nHost: gateway\r\nX-Padding: " + marker + "\r\n\r\n");

    JsonNode error = assertError(response, 431, "headers_too_large");
    assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
    assertThat(response.body()).doesNotContain("marker-");
  }

  @Test
  void conflictingContentLengthsGet400() {
    RawHttp.Response response =
        exchange(
            "POST /v1/chat/completions HTTP/1.1\r\nHost: gateway\r\n"
                + "Content-Length: 2\r\nContent-Length: 7\r\n\r\n{}");

    assertError(response, 400, "invalid_request");
  }

  @Test
  void anUnsupportedTransferEncodingGets400() {
    RawHttp.Response response =
        exchange(
            "POST /v1/chat/completions HTTP/1.1\r\nHost: gateway\r\n"
                + "Transfer-Encoding: gzip\r\n\r\n");

    assertError(response, 400, "invalid_request");
  }

  @Test
  void aMissingHostGets400() {
    assertError(exchange("GET /healthz HTTP/1.1\r\n\r\n"), 400, "invalid_request");
  }

  @Test
  void bytesThatAreNotHttpGet400() {
    assertError(exchange("\u0001\u0002 not http\r\n\r\n"), 400, "invalid_request");
  }

  @Test
  void aBrokenChunkedBodyGets400UnderTheIdTheGatewayGaveTheRequest() {
    RawHttp.Response response =
        exchange(
            "POST /v1/chat/completions HTTP/1.1\r\nHost: gateway\r\n"
                + "Authorization: Bearer "
                + acmeToken
                + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "ZZ\r\nnot a chunk size\r\n0\r\n\r\n");

    assertError(response, 400, "invalid_request");
    assertThat(response.body()).doesNotContain(acmeToken).doesNotContain("not a chunk size");
  }

  @Test
  void aRequestLineOverTheLimitGets414() {
    RawHttp.Response response =
        exchange("GET /v1/" + "u".repeat(40 * 1024) + " HTTP/1.1\r\nHost: gateway\r\n\r\n");

    JsonNode error = assertError(response, 414, "uri_too_long");
    assertThat(error.path("message").asText()).doesNotContain("uuuu");
  }

  @Test
  void anUnknownHttpVersionGets505() {
    RawHttp.Response response = exchange("GET /healthz HTTP/9.9\r\nHost: gateway\r\n\r\n");

    assertError(response, 505, "http_version_not_supported");
  }

  @Test
  void aStatusWithoutItsOwnCodeKeepsItsNumberWithAGenericCode() {
    RawHttp.Response response =
        exchange(
            "POST /v1/chat/completions HTTP/1.1\r\nHost: gateway\r\n"
                + "Expect: something-else\r\nContent-Length: 2\r\n\r\n{}");

    JsonNode error = assertError(response, 417, "invalid_request");
    assertThat(error.path("message").asText()).isEqualTo("Expectation Failed");
  }

  @Test
  void eachErrorHasARequestIdOfItsOwn() {
    String request = "GET /healthz HTTP/9.9\r\nHost: gateway\r\n\r\n";

    String first =
        assertError(exchange(request), 505, "http_version_not_supported")
            .path("request_id")
            .asText();
    String second =
        assertError(exchange(request), 505, "http_version_not_supported")
            .path("request_id")
            .asText();

    assertThat(first).isNotEqualTo(second);
  }

  @Test
  void aHeadRequestGetsTheStatusAndIdWithoutABody() {
    RawHttp.Response response =
        exchange(
            "HEAD /healthz HTTP/1.1\r\nHost: gateway\r\nX-Padding: "
                + "h".repeat(40 * 1024)
                + "\r\n\r\n");

    assertThat(response.status()).isEqualTo(431);
    assertThat(response.body()).isEmpty();
    assertThat(response.header("x-request-id"))
        .hasValueSatisfying(id -> assertThat(id).isNotBlank());
  }

  private static RawHttp.Response exchange(String request) {
    return RawHttp.exchange(ingress.port(), request);
  }
}

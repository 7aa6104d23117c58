package dev.sluice.ingress;

import static dev.sluice.ingress.IngressUnderTest.chatBody;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.auth.TestTokens;
import dev.sluice.auth.TokenMinter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The limit on failed authentications per client address ({@code AUTH_FAILURE_LIMIT_PER_SECOND}),
 * over real HTTP, with the limiter's clock in the test's hands: no test waits for a second to pass.
 */
class GatewayAppAuthFailureLimitTest {
  private static final String FORGED =
      TokenMinter.hs256(
              "an-attacker-secret-that-is-32-bytes-or-more".getBytes(StandardCharsets.UTF_8))
          .mint("acme", "mallory", Duration.ofMinutes(5));

  private final AtomicLong clock = new AtomicLong(5_000_000);

  @Test
  void theSixthBadTokenInASecondFromOneAddressGets429AndSoDoesAGoodOne() {
    try (IngressUnderTest ingress = start(false)) {
      for (int i = 0; i < 5; i++) {
        ingress.assertRefused(ingress.chat(chatBody("guess"), FORGED), 401, "invalid_token");
        clock.addAndGet(100);
      }

      HttpResponse<String> sixth = ingress.chat(chatBody("guess"), FORGED);

      JsonNode error = assertTooManyFailures(ingress, sixth, "500");
      assertThat(error.path("message").asText()).doesNotContain("127.0.0.1");
      // While blocked, a good credential from the address is not even looked at.
      HttpResponse<String> good = ingress.chat(chatBody("hello"), goodToken());
      assertTooManyFailures(ingress, good, "500");
    }
  }

  @Test
  void aBlockedAddressIsRefusedBeforeItsBodyIsReadAndItsProbesStillAnswer() {
    try (IngressUnderTest ingress = start(false)) {
      fail(ingress, 5, null);

      HttpResponse<String> notJson =
          ingress.send(
              ingress
                  .chatRequest(FORGED, "text/plain")
                  .POST(HttpRequest.BodyPublishers.ofString("not json"))
                  .build());
      HttpResponse<String> goodButNotJson =
          ingress.send(
              ingress
                  .chatRequest(goodToken(), "text/plain")
                  .POST(HttpRequest.BodyPublishers.ofString("not json"))
                  .build());
      HttpResponse<String> noToken =
          ingress.send(
              ingress
                  .request("/v1/chat/completions")
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString("{"))
                  .build());
      HttpResponse<String> models =
          ingress.send(
              ingress.request("/v1/models").header("Authorization", "Bearer " + FORGED).build());

      assertTooManyFailures(ingress, notJson, "1000");
      // 429, not the 415 it would get unblocked: refused before anything about it was checked.
      assertTooManyFailures(ingress, goodButNotJson, "1000");
      assertTooManyFailures(ingress, noToken, "1000");
      assertTooManyFailures(ingress, models, "1000");
      assertThat(ingress.send(ingress.request("/healthz").build()).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void aGoodTokenFromAnotherAddressStillPasses() {
    try (IngressUnderTest ingress = start(false)) {
      fail(ingress, 5, null);
      ingress.inbox().answerWith(wait -> FakeReplyInbox.completion(wait, "echo: hello"));

      RawHttp.Response fromElsewhere = chatFrom("127.0.0.2", ingress.port(), goodToken());

      assertThat(fromElsewhere.status()).as(fromElsewhere.body()).isEqualTo(200);
      assertThat(ingress.producer().history()).hasSize(1);
      assertThat(ingress.producer().history().get(0).value().clientIp()).isEqualTo("127.0.0.2");
      // Its own bad tokens are its own: 401, not the other address's 429.
      RawHttp.Response badFromElsewhere = chatFrom("127.0.0.2", ingress.port(), FORGED);
      RawHttp.assertError(badFromElsewhere, 401, "invalid_token");
    }
  }

  @Test
  void theWindowPassingLetsTheAddressInAgain() {
    try (IngressUnderTest ingress = start(false)) {
      fail(ingress, 5, null);
      assertTooManyFailures(ingress, ingress.chat(chatBody("hello"), goodToken()), "1000");

      clock.addAndGet(999);
      assertTooManyFailures(ingress, ingress.chat(chatBody("hello"), goodToken()), "1");
      clock.addAndGet(1);
      ingress.inbox().answerWith(wait -> FakeReplyInbox.completion(wait, "echo: hello"));
      IngressUnderTest.assertCompletion(
          ingress.chat(chatBody("hello"), goodToken()), "echo: hello");
      ingress.reset();
      // Its five failures are a second old: it has five more before it is blocked again.
      fail(ingress, 5, null);
      assertTooManyFailures(ingress, ingress.chat(chatBody("guess"), FORGED), "1000");
    }
  }

  @Test
  void forwardedForIsIgnoredUnlessTrusted() {
    try (IngressUnderTest ingress = start(false)) {
      for (int i = 0; i < 5; i++) {
        fail(ingress, 1, "203.0.113." + i);
      }

      HttpResponse<String> sixth = chatVia(ingress, "203.0.113.99", FORGED);

      assertTooManyFailures(ingress, sixth, "1000");
    }
  }

  @Test
  void trustedForwardedForLimitsEachCallerBehindTheProxyByItsRightMostEntry() {
    try (IngressUnderTest ingress = start(true)) {
      fail(ingress, 5, "203.0.113.1");

      assertTooManyFailures(ingress, chatVia(ingress, "203.0.113.1", FORGED), "1000");
      // An appending proxy puts the caller's own claim first: it does not get it a new address.
      assertTooManyFailures(
          ingress, chatVia(ingress, "198.51.100.77, 203.0.113.1", FORGED), "1000");
      ingress.assertRefused(chatVia(ingress, "203.0.113.2", FORGED), 401, "invalid_token");
      ingress.inbox().answerWith(wait -> FakeReplyInbox.completion(wait, "echo: hello"));
      IngressUnderTest.assertCompletion(
          chatVia(ingress, "203.0.113.1, 203.0.113.2", goodToken()), "echo: hello");
      assertThat(ingress.producer().history().get(0).value().clientIp()).isEqualTo("203.0.113.2");
    }
  }

  @Test
  void zeroTurnsTheLimitOff() {
    Map<String, String> settings = Map.of("AUTH_FAILURE_LIMIT_PER_SECOND", "0");
    try (IngressUnderTest ingress = IngressUnderTest.start(settings, clock::get)) {
      fail(ingress, 20, null);
    }
  }

  // --- helpers ---------------------------------------------------------------------------------

  private IngressUnderTest start(boolean trustForwardedFor) {
    Map<String, String> settings = new HashMap<>();
    settings.put("AUTH_FAILURE_LIMIT_PER_SECOND", "5");
    settings.put("TRUST_FORWARDED_FOR", Boolean.toString(trustForwardedFor));
    return IngressUnderTest.start(settings, clock::get);
  }

  /** {@code count} forged tokens, each answered 401, from 127.0.0.1 (and {@code forwardedFor}). */
  private static void fail(IngressUnderTest ingress, int count, String forwardedFor) {
    for (int i = 0; i < count; i++) {
      HttpResponse<String> response =
          forwardedFor == null
              ? ingress.chat(chatBody("guess"), FORGED)
              : chatVia(ingress, forwardedFor, FORGED);
      ingress.assertRefused(response, 401, "invalid_token", FORGED);
      assertThat(response.headers().firstValue("WWW-Authenticate")).isPresent();
    }
  }

  private static HttpResponse<String> chatVia(
      IngressUnderTest ingress, String forwardedFor, String token) {
    return ingress.send(
        ingress
            .chatRequest(token, "application/json")
            .header("X-Forwarded-For", forwardedFor)
            .POST(HttpRequest.BodyPublishers.ofString(chatBody("hello")))
            .build());
  }

  /** 429 {@code rate_limited} with both retry headers, and nothing published or waited for. */
  private static JsonNode assertTooManyFailures(
      IngressUnderTest ingress, HttpResponse<String> response, String retryAfterMs) {
    JsonNode error = ingress.assertRefused(response, 429, "rate_limited", FORGED);
    assertThat(error.path("type").asText()).isEqualTo("rate_limit_error");
    assertThat(response.headers().firstValue("Retry-After")).hasValue("1");
    assertThat(response.headers().firstValue("retry-after-ms")).hasValue(retryAfterMs);
    assertThat(response.headers().firstValue("WWW-Authenticate")).isEmpty();
    return error;
  }

  private static String goodToken() {
    return TestTokens.mint("acme", Instant.now());
  }

  /** A chat request over a connection from {@code localAddress} (any of 127.0.0.0/8 on Linux). */
  private static RawHttp.Response chatFrom(String localAddress, int port, String token) {
    byte[] body = chatBody("hello").getBytes(StandardCharsets.UTF_8);
    String head =
        "POST /v1/chat/completions HTTP/1.1\r\n"
            + "Host: 127.0.0.1\r\n"
            + "Content-Type: application/json\r\n"
            + "Authorization: Bearer "
            + token
            + "\r\n"
            + "Content-Length: "
            + body.length
            + "\r\n"
            + "Connection: close\r\n\r\n";
    try (Socket socket = new Socket()) {
      socket.bind(new InetSocketAddress(localAddress, 0));
      socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
      socket.setSoTimeout(RawHttp.READ_TIMEOUT_MS);
      socket.getOutputStream().write(head.getBytes(StandardCharsets.ISO_8859_1));
      socket.getOutputStream().write(body);
      socket.getOutputStream().flush();
      return RawHttp.read(socket.getInputStream());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

package dev.sluice.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;
import javax.net.ssl.SSLSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The smoke command's rate-limit check against a stand-in gateway that limits one token to {@link
 * #LIMIT} requests in any {@link #WINDOW_MS}, answering as the ingress does (x-ratelimit-* on
 * answers; 429 rate_limited with Retry-After and retry-after-ms beyond the limit). The stand-in's
 * window is short so the check's wait is short; nothing here asserts how long anything took.
 */
class SmokeCommandRateLimitTest {
  private static final int LIMIT = 3;
  private static final long WINDOW_MS = 300;
  private static final String LIMITED = "limited-token";
  private static final int MAX_REQUESTS = 20;

  private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
  private HttpServer server;

  /** What the stand-in gets wrong, if anything. */
  private enum Fault {
    NONE,
    NO_RETRY_AFTER_MS,
    WRONG_CODE,
    NO_HEADERS_ON_ANSWERS,
    NEVER_LIMITS,
    STAYS_CLOSED
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop(0);
    }
  }

  @Test
  void passesAGatewayThatLimitsAndReopens() {
    SmokeCommand smoke = smokeAgainst(Fault.NONE, LIMITED);

    smoke.rateLimit();

    assertThat(smoke.failures()).as(output()).isEmpty();
    assertThat(output())
        .contains("PASS rate limit: answers carry x-ratelimit-* headers")
        .contains("PASS rate limit: 429 rate_limited beyond the limit")
        .contains("PASS rate limit: allowed again after the window");
    assertThat(smoke.summary()).isTrue();
    assertThat(output()).contains("smoke: 3 passed, 0 failed");
    assertThat(output()).doesNotContain(LIMITED);
  }

  @Test
  void skipsSayingSoWithoutALimitedToken() {
    SmokeCommand smoke = smokeAgainst(Fault.NONE, null);

    smoke.rateLimit();

    assertThat(smoke.failures()).isEmpty();
    assertThat(output()).contains("SKIP rate limit: SMOKE_RATE_LIMITED_TOKEN is unset");
    assertThat(smoke.summary()).isTrue();
    assertThat(output()).contains("smoke: 0 passed, 0 failed, 1 skipped");
  }

  @Test
  void failsA429WithoutRetryAfterMs() {
    SmokeCommand smoke = smokeAgainst(Fault.NO_RETRY_AFTER_MS, LIMITED);

    smoke.rateLimit();

    assertThat(output())
        .contains("FAIL rate limit: 429 rate_limited beyond the limit")
        .contains("retry-after-ms should be whole milliseconds; got null")
        .contains("FAIL rate limit: allowed again after the window: not tried");
    assertThat(smoke.summary()).isFalse();
  }

  @Test
  void failsA429ThatIsNotRateLimited() {
    SmokeCommand smoke = smokeAgainst(Fault.WRONG_CODE, LIMITED);

    smoke.rateLimit();

    assertThat(output()).contains("expected code rate_limited, got provider_error");
    assertThat(smoke.failures()).isNotEmpty();
  }

  @Test
  void failsAnswersWithoutTheHeaders() {
    SmokeCommand smoke = smokeAgainst(Fault.NO_HEADERS_ON_ANSWERS, LIMITED);

    smoke.rateLimit();

    assertThat(output())
        .contains(
            "FAIL rate limit: answers carry x-ratelimit-* headers: no"
                + " x-ratelimit-limit-requests header");
  }

  @Test
  void failsAGatewayThatNeverLimits() {
    SmokeCommand smoke = smokeAgainst(Fault.NEVER_LIMITS, LIMITED);

    smoke.rateLimit();

    assertThat(output()).contains("no 429 after " + MAX_REQUESTS + " requests");
    assertThat(smoke.failures()).isNotEmpty();
  }

  @Test
  void failsAGatewayThatStaysClosedAfterTheWindow() {
    SmokeCommand smoke = smokeAgainst(Fault.STAYS_CLOSED, LIMITED);

    smoke.rateLimit();

    assertThat(output())
        .contains("PASS rate limit: 429 rate_limited beyond the limit")
        .contains("FAIL rate limit: allowed again after the window")
        .contains("expected 200, got 429");
  }

  @Test
  void readsOpenAisDurationFormatForTheResetHeader() {
    for (String good : List.of("0s", "20ms", "999ms", "1s", "1.5s", "6m0s", "1h2m3s", "1h0m0.5s")) {
      assertThat(SmokeCommand.rateLimitHeadersProblem(response(good))).as(good).isNull();
    }
    for (String bad : List.of("1000", "1.50s", "0ms", "1000ms", "2 s", "")) {
      assertThat(SmokeCommand.rateLimitHeadersProblem(response(bad)))
          .as(bad)
          .contains("x-ratelimit-reset-requests is not well formed");
    }
  }

  // --- the stand-in ----------------------------------------------------------------------------

  private SmokeCommand smokeAgainst(Fault fault, String limitedToken) {
    LongSupplier clock = () -> System.nanoTime() / 1_000_000;
    Deque<Long> admitted = new ArrayDeque<>();
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    server.createContext(
        "/v1/chat/completions",
        exchange -> {
          exchange.getRequestBody().readAllBytes();
          if (!("Bearer " + LIMITED)
              .equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
            send(exchange, 401, "{\"error\":{\"code\":\"invalid_token\"}}");
            return;
          }
          synchronized (admitted) {
            long now = clock.getAsLong();
            while (fault != Fault.STAYS_CLOSED
                && !admitted.isEmpty()
                && now - admitted.peekFirst() >= WINDOW_MS) {
              admitted.removeFirst();
            }
            Headers headers = exchange.getResponseHeaders();
            if (fault != Fault.NEVER_LIMITS && admitted.size() >= LIMIT) {
              long wait = Math.max(1, admitted.peekFirst() + WINDOW_MS - now);
              headers.add("x-ratelimit-limit-requests", Integer.toString(LIMIT));
              headers.add("x-ratelimit-remaining-requests", "0");
              headers.add("x-ratelimit-reset-requests", wait + "ms");
              headers.add("Retry-After", "1");
              if (fault != Fault.NO_RETRY_AFTER_MS) {
                headers.add("retry-after-ms", Long.toString(wait));
              }
              String code = fault == Fault.WRONG_CODE ? "provider_error" : "rate_limited";
              send(exchange, 429, "{\"error\":{\"code\":\"" + code + "\"}}");
              return;
            }
            admitted.addLast(now);
            if (fault != Fault.NO_HEADERS_ON_ANSWERS) {
              headers.add("x-ratelimit-limit-requests", Integer.toString(LIMIT));
            }
            headers.add(
                "x-ratelimit-remaining-requests",
                Integer.toString(Math.max(0, LIMIT - admitted.size())));
            headers.add("x-ratelimit-reset-requests", WINDOW_MS + "ms");
            send(exchange, 200, "{\"answer\":\"echo\"}");
          }
        });
    server.start();
    URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    return new SmokeCommand(
        base,
        "dev-token",
        limitedToken,
        new PrintStream(printed, true, StandardCharsets.UTF_8),
        MAX_REQUESTS);
  }

  private static void send(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private String output() {
    return printed.toString(StandardCharsets.UTF_8);
  }

  /** A response carrying well-formed request figures and {@code reset} as the reset header. */
  private static HttpResponse<String> response(String reset) {
    HttpHeaders headers =
        HttpHeaders.of(
            Map.of(
                "x-ratelimit-limit-requests", List.of("3"),
                "x-ratelimit-remaining-requests", List.of("0"),
                "x-ratelimit-reset-requests", List.of(reset)),
            (name, value) -> true);
    return new HeadersOnly(headers);
  }

  /** An answer that is only its headers. */
  private record HeadersOnly(HttpHeaders headers) implements HttpResponse<String> {
    @Override
    public int statusCode() {
      return 200;
    }

    @Override
    public HttpRequest request() {
      return HttpRequest.newBuilder(URI.create("http://127.0.0.1/")).build();
    }

    @Override
    public Optional<HttpResponse<String>> previousResponse() {
      return Optional.empty();
    }

    @Override
    public String body() {
      return "{}";
    }

    @Override
    public Optional<SSLSession> sslSession() {
      return Optional.empty();
    }

    @Override
    public URI uri() {
      return request().uri();
    }

    @Override
    public HttpClient.Version version() {
      return HttpClient.Version.HTTP_1_1;
    }
  }
}

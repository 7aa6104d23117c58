package dev.sluice.egress.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.sluice.egress.ProviderAnswer;
import dev.sluice.egress.ProviderCall;
import dev.sluice.egress.ProviderException;
import dev.sluice.egress.ProviderException.Kind;
import dev.sluice.schemas.Json;
import dev.sluice.schemas.chat.ChatMessage;
import dev.sluice.schemas.chat.ChatRequest;
import dev.sluice.schemas.chat.ContentPart;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class OpenAiCompatibleProviderTest {
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

  private final ExecutorService executor = Executors.newFixedThreadPool(2);
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  private FakeOpenAi server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop();
    }
    executor.shutdownNow();
    scheduler.shutdownNow();
  }

  @Test
  void answersAndSendsTheOpenAiRequest() throws Exception {
    server = new FakeOpenAi(ex -> respond(ex, 200, OK_BODY));
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

    ProviderAnswer answer = call(provider(2), new ProviderCall("r1", "gpt-4o-mini", request, 0));

    assertThat(answer.provider()).isEqualTo("openai");
    assertThat(answer.model()).isEqualTo("gpt-4o-mini-2024-07-18");
    assertThat(answer.message().role()).isEqualTo("assistant");
    assertThat(answer.message().text()).isEqualTo("Hello!");
    assertThat(answer.finishReason()).isEqualTo("length");
    assertThat(answer.usage().promptTokens()).isEqualTo(12);
    assertThat(answer.usage().completionTokens()).isEqualTo(3);
    assertThat(server.paths).containsExactly("/v1/chat/completions");
    assertThat(server.authorizations).containsExactly("Bearer " + KEY);
    JsonNode sent = Json.mapper().readTree(server.bodies.get(0));
    assertThat(sent.get("model").asText()).isEqualTo("gpt-4o-mini");
    assertThat(sent.at("/messages/0/content").asText()).isEqualTo("be brief");
    assertThat(sent.at("/messages/1/content/0/type").asText()).isEqualTo("text");
    assertThat(sent.at("/messages/1/content/0/text").asText()).isEqualTo("hi");
    assertThat(sent.get("max_tokens").asInt()).isEqualTo(50);
    assertThat(sent.get("temperature").asDouble()).isEqualTo(0.5);
    assertThat(sent.get("top_p").asDouble()).isEqualTo(0.9);
    assertThat(sent.get("stop").get(0).asText()).isEqualTo("END");
    assertThat(sent.get("user").asText()).isEqualTo("u-1");
    assertThat(sent.has("context")).isFalse();
  }

  @Test
  void refusalsNameTheStatusButNotTheProvidersMessage() {
    for (int status : new int[] {400, 401, 404}) {
      String body =
          """
          {"error":{"message":"Incorrect API key provided: sk-test... (prompt: my secret)",
                    "type":"invalid_request_error","param":null,"code":"invalid_api_key"}}
          """;
      server = new FakeOpenAi(ex -> respond(ex, status, body));
      ProviderException e = failure(provider(2), call(0));
      assertThat(e.kind()).isEqualTo(Kind.ERROR);
      assertThat(e.getMessage())
          .isEqualTo("the provider refused the request (" + status + ", invalid_api_key)")
          .doesNotContain("secret")
          .doesNotContain(KEY);
      assertThat(server.attempts.get()).isEqualTo(1);
      server.stop();
    }
    server = null;
  }

  @Test
  void unsafeErrorTokensAreDropped() {
    server =
        new FakeOpenAi(
            ex ->
                respond(ex, 403, "{\"error\":{\"message\":\"x\",\"code\":\"Prompt: hi there\"}}"));
    assertThat(failure(provider(2), call(0)).getMessage())
        .isEqualTo("the provider refused the request (403)");
  }

  @Test
  void retriesA429AfterRetryAfter() {
    server = new FakeOpenAi(ex -> rateLimited(ex, "0"), ex -> respond(ex, 200, OK_BODY));
    assertThat(call(provider(2), call(0)).message().text()).isEqualTo("Hello!");
    assertThat(server.attempts.get()).isEqualTo(2);
  }

  @Test
  void a429ToTheEndIsRateLimitedWithRetryAfter() {
    server =
        new FakeOpenAi(
            ex -> rateLimited(ex, "0"), ex -> rateLimited(ex, "0"), ex -> rateLimited(ex, "3"));
    ProviderException e = failure(provider(2), call(0));
    assertThat(e.kind()).isEqualTo(Kind.RATE_LIMITED);
    assertThat(e.retryAfterSeconds()).isEqualTo(3);
    assertThat(server.attempts.get()).isEqualTo(3);
  }

  @Test
  void retriesA500() {
    server =
        new FakeOpenAi(
            ex -> respond(ex, 500, "{\"error\":{\"message\":\"oops\",\"type\":\"server_error\"}}"),
            ex -> respond(ex, 200, OK_BODY));
    assertThat(call(provider(2), call(0)).message().text()).isEqualTo("Hello!");
    assertThat(server.attempts.get()).isEqualTo(2);
  }

  @Test
  void a503ForeverFailsAfterAllAttempts() {
    server = new FakeOpenAi(ex -> respond(ex, 503, "{\"error\":{\"message\":\"overloaded\"}}"));
    ProviderException e = failure(provider(2), call(0));
    assertThat(e.kind()).isEqualTo(Kind.ERROR);
    assertThat(e.getMessage()).isEqualTo("the provider failed (503)");
    assertThat(server.attempts.get()).isEqualTo(3);
  }

  @Test
  void aSlowFirstByteTimesOut() {
    server =
        new FakeOpenAi(
            ex -> {
              sleep(600);
              respond(ex, 200, OK_BODY);
            });
    ProviderException e = failure(provider(2), call(0));
    assertThat(e.kind()).isEqualTo(Kind.TIMEOUT);
  }

  @Test
  void aConnectionClosedWithoutAnswerIsRetriedThenAnError() throws Exception {
    // Stand-in for an upstream that resets connections: it accepts, reads, and closes.
    AtomicInteger accepted = new AtomicInteger();
    try (ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread acceptor =
          new Thread(
              () -> {
                while (!socket.isClosed()) {
                  try (Socket client = socket.accept()) {
                    accepted.incrementAndGet();
                    client.getInputStream().read(new byte[1024]);
                    client.setSoLinger(true, 0); // RST rather than FIN
                  } catch (IOException e) {
                    return;
                  }
                }
              });
      acceptor.setDaemon(true);
      acceptor.start();
      OpenAiCompatibleProvider provider =
          provider(URI.create("http://127.0.0.1:" + socket.getLocalPort() + "/v1"), 2);
      ProviderException e = failure(provider, call(0));
      assertThat(e.kind()).isEqualTo(Kind.ERROR);
      assertThat(e.getMessage()).isEqualTo("the provider could not be reached");
      assertThat(accepted.get()).isEqualTo(3);
    }
  }

  @Test
  void malformedJsonIsAnError() {
    server = new FakeOpenAi(ex -> respond(ex, 200, "{\"choices\": [ {\"message\": "));
    ProviderException e = failure(provider(2), call(0));
    assertThat(e.kind()).isEqualTo(Kind.ERROR);
    assertThat(e.getMessage()).isEqualTo("the provider's answer was not valid");
    assertThat(server.attempts.get()).isEqualTo(1);
  }

  @Test
  void aRedirectToAnotherHostIsNotFollowed() {
    server =
        new FakeOpenAi(
            ex -> {
              ex.getResponseHeaders()
                  .add("Location", "http://attacker.example/v1/chat/completions");
              respond(ex, 302, "");
            });
    ProviderException e = failure(provider(2), call(0));
    assertThat(e.kind()).isEqualTo(Kind.ERROR);
    assertThat(e.getMessage()).contains("302");
    assertThat(server.attempts.get()).isEqualTo(1);
  }

  @Test
  void noAttemptIsScheduledAfterTheDeadline() {
    server = new FakeOpenAi(ex -> rateLimited(ex, "2"));
    long deadline = System.currentTimeMillis() + 1_000;
    long started = System.currentTimeMillis();
    ProviderException e = failure(provider(2), call(deadline));
    // Retry-After 2 s lies beyond the deadline: the 429 is final at once.
    assertThat(e.kind()).isEqualTo(Kind.RATE_LIMITED);
    assertThat(e.retryAfterSeconds()).isEqualTo(2);
    assertThat(server.attempts.get()).isEqualTo(1);
    assertThat(System.currentTimeMillis() - started).isLessThan(1_000);
  }

  @Test
  void aPassedDeadlineTimesOutWithoutCalling() {
    server = new FakeOpenAi(ex -> respond(ex, 200, OK_BODY));
    ProviderException e = failure(provider(2), call(System.currentTimeMillis() - 1));
    assertThat(e.kind()).isEqualTo(Kind.TIMEOUT);
    assertThat(server.attempts.get()).isZero();
  }

  @Test
  void retryAfterAcceptsSecondsAndHttpDates() {
    assertThat(OpenAiCompatibleProvider.parseRetryAfter("7")).isEqualTo(7);
    assertThat(OpenAiCompatibleProvider.parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT")).isZero();
    String inAMinute =
        java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME.format(
            java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC).plusSeconds(60));
    assertThat(OpenAiCompatibleProvider.parseRetryAfter(inAMinute)).isBetween(55, 60);
    assertThat(OpenAiCompatibleProvider.parseRetryAfter("soon")).isNull();
  }

  @Test
  void toStringHidesTheKey() {
    assertThat(provider(URI.create("http://127.0.0.1:1/v1"), 0).toString()).doesNotContain(KEY);
  }

  // --- helpers

  private OpenAiCompatibleProvider provider(int maxRetries) {
    return provider(URI.create(server.baseUrl()), maxRetries);
  }

  private OpenAiCompatibleProvider provider(URI baseUrl, int maxRetries) {
    OpenAiSettings settings =
        new OpenAiSettings("openai", baseUrl, KEY, Duration.ofMillis(300), maxRetries);
    return new OpenAiCompatibleProvider(settings, executor, scheduler, 10);
  }

  private static ProviderCall call(long deadlineMs) {
    ChatRequest request =
        new ChatRequest(
            "gpt-4o-mini",
            List.of(ChatMessage.of("user", "hi")),
            null,
            null,
            null,
            null,
            null,
            null);
    return new ProviderCall("r1", "gpt-4o-mini", request, deadlineMs);
  }

  private static ProviderAnswer call(OpenAiCompatibleProvider provider, ProviderCall call) {
    try {
      return provider.complete(call).toCompletableFuture().get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("the call failed", e);
    }
  }

  private static ProviderException failure(OpenAiCompatibleProvider provider, ProviderCall call) {
    try {
      provider.complete(call).toCompletableFuture().get(5, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(ProviderException.class);
      assertThat(e.getCause().getMessage()).doesNotContain(KEY);
      return (ProviderException) e.getCause();
    } catch (Exception e) {
      throw new AssertionError("the call did not fail in time", e);
    }
    return fail("the call succeeded");
  }

  private static void rateLimited(HttpExchange exchange, String retryAfter) throws IOException {
    exchange.getResponseHeaders().add("Retry-After", retryAfter);
    respond(
        exchange,
        429,
        "{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\","
            + "\"code\":\"rate_limit_exceeded\"}}");
  }

  private static void respond(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
    exchange.close();
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  interface Script {
    void handle(HttpExchange exchange) throws IOException;
  }

  /**
   * A stand-in for OpenAI's chat-completions endpoint on 127.0.0.1: it answers each request with
   * the next scripted response (the last one repeats) and records what it received.
   */
  static final class FakeOpenAi {
    final HttpServer http;
    final ConcurrentLinkedQueue<Script> scripts;
    final Script last;
    final AtomicInteger attempts = new AtomicInteger();
    final List<String> paths = new CopyOnWriteArrayList<>();
    final List<String> authorizations = new CopyOnWriteArrayList<>();
    final List<String> bodies = new CopyOnWriteArrayList<>();

    FakeOpenAi(Script... responses) {
      this.scripts = new ConcurrentLinkedQueue<>(List.of(responses));
      this.last = responses[responses.length - 1];
      try {
        http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
      http.setExecutor(Executors.newCachedThreadPool());
      http.createContext(
          "/",
          exchange -> {
            attempts.incrementAndGet();
            paths.add(exchange.getRequestURI().getPath());
            authorizations.add(exchange.getRequestHeaders().getFirst("Authorization"));
            try (InputStream in = exchange.getRequestBody()) {
              bodies.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
            Script next = scripts.poll();
            (next == null ? last : next).handle(exchange);
          });
      http.start();
    }

    String baseUrl() {
      return "http://127.0.0.1:" + http.getAddress().getPort() + "/v1";
    }

    void stop() {
      http.stop(0);
    }
  }
}

package dev.sluice.pipeline.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.sluice.pipeline.StageRequests;
import dev.sluice.pipeline.stage.Refusal;
import dev.sluice.policy.PolicyBundle;
import dev.sluice.policy.RateLimitPolicy;
import dev.sluice.policy.RateLimits;
import dev.sluice.schemas.Json;
import dev.sluice.schemas.chat.ChatRequests;
import dev.sluice.schemas.chat.RagChunk;
import dev.sluice.schemas.chat.RagContext;
import dev.sluice.schemas.envelope.Source;
import dev.sluice.schemas.envelope.VerifiedRequest;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The OPA client against a stand-in server: no OPA binary exists on the build machines, so this
 * test serves OPA's documented Data API ({@code POST /v1/data/<path>} answering {@code {"result":
 * …}}) itself, with the answers and failures a real OPA can give.
 */
class OpaPolicyTest {
  private HttpServer server;
  private final AtomicReference<String> answer = new AtomicReference<>("{\"result\":[]}");
  private final AtomicReference<Integer> status = new AtomicReference<>(200);
  private final AtomicReference<Long> delayMs = new AtomicReference<>(0L);
  private final AtomicReference<JsonNode> lastInput = new AtomicReference<>();
  private final AtomicReference<Body> body = new AtomicReference<>(Body.WHOLE);

  /** Holds back a stalled body until the test is over. */
  private final CountDownLatch released = new CountDownLatch(1);

  /** Counted down when the stand-in finds the gateway gone while it still writes. */
  private final CountDownLatch hungUp = new CountDownLatch(1);

  private OpaPolicy opa;

  /** How the stand-in sends its answer's body after a 200 and its headers. */
  private enum Body {
    WHOLE,
    /** Part of it, then nothing more, connection open: a wedged OPA or proxy. */
    STALLS,
    /** One byte every 100 ms, for far longer than the timeout: never idle, never done. */
    TRICKLES
  }

  @BeforeEach
  void start() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/v1/data/gateway/deny",
        exchange -> {
          lastInput.set(Json.mapper().readTree(exchange.getRequestBody()).get("input"));
          try {
            Thread.sleep(delayMs.get());
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          byte[] bytes = answer.get().getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().set("Content-Type", "application/json");
          switch (body.get()) {
            case STALLS -> {
              exchange.sendResponseHeaders(status.get(), 64);
              OutputStream out = exchange.getResponseBody();
              out.write("{\"result\":".getBytes(StandardCharsets.UTF_8));
              out.flush();
              await(released, 60);
              exchange.close();
            }
            case TRICKLES -> {
              // 600 bytes of a valid answer at 10 bytes a second: a minute in all.
              byte[] padded = (answer.get() + " ".repeat(600)).getBytes(StandardCharsets.UTF_8);
              exchange.sendResponseHeaders(status.get(), padded.length);
              OutputStream out = exchange.getResponseBody();
              try {
                for (byte b : padded) {
                  out.write(b);
                  out.flush();
                  if (await(released, 0.1)) {
                    break;
                  }
                }
              } catch (IOException e) {
                hungUp.countDown();
              }
              exchange.close();
            }
            default -> {
              exchange.sendResponseHeaders(status.get(), bytes.length);
              try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
              }
            }
          }
        });
    server.setExecutor(Executors.newFixedThreadPool(4));
    server.start();
    opa =
        new OpaPolicy(
            URI.create("http://127.0.0.1:" + server.getAddress().getPort()),
            Duration.ofMillis(1_000),
            rateLimits(),
            Executors.newFixedThreadPool(2));
  }

  @AfterEach
  void stop() {
    released.countDown();
    server.stop(0);
  }

  /** Whether {@code latch} opened within {@code seconds}. */
  private static boolean await(CountDownLatch latch, double seconds) {
    try {
      return latch.await((long) (seconds * 1000), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return true;
    }
  }

  private Optional<Refusal> decide(VerifiedRequest request) throws Exception {
    return opa.decide(request).get(5, TimeUnit.SECONDS);
  }

  private static VerifiedRequest request() {
    RagContext context =
        new RagContext("kb://approved/hr", List.of(new RagChunk("c1", "pay scales", null)));
    return StageRequests.verified(
        "acme", "alice", StageRequests.chat("stub", StageRequests.user("q"), 256, context));
  }

  @Test
  void sendsTheDocumentedInput() throws Exception {
    assertThat(decide(request())).isEmpty();
    JsonNode input = lastInput.get();
    assertThat(input.path("tenant").asText()).isEqualTo("acme");
    assertThat(input.path("model").asText()).isEqualTo("stub");
    assertThat(input.path("subject").asText()).isEqualTo("alice");
    assertThat(input.path("max_tokens").asInt()).isEqualTo(256);
    assertThat(input.path("context_source").asText()).isEqualTo("kb://approved/hr");
    assertThat(input.path("context_sources")).hasSize(1);
    assertThat(input.path("context_sources").get(0).asText()).isEqualTo("kb://approved/hr");
    assertThat(input.has("risk")).isTrue();
    assertThat(input.toString()).doesNotContain("pay scales");
  }

  /**
   * Limits from the gateway's defaults, the bundle's section, a model's entry and the batch share:
   * what {@code rateLimitsForTheRequestsModelAndSource} expects in the input.
   */
  private static RateLimitPolicy rateLimits() {
    Path dir;
    try {
      dir = Files.createTempDirectory("opa-rate-limits");
      Files.writeString(
          dir.resolve("default.yaml"),
          "rate_limits:\n  tokens_per_minute: 200000\n"
              + "  models: {\"openai:gpt-4o\": {tokens_per_minute: 50000, concurrent: 2}}\n"
              + "  batch: {requests: 100}\n");
      Files.createDirectories(dir.resolve("tenants"));
      Files.writeString(
          dir.resolve("tenants/globex.yaml"), "rate_limits: {requests: 5, window_ms: 1000}\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new RateLimitPolicy(
        RateLimits.NONE.withRequests(600).withDailyTokens(5_000_000), PolicyBundle.load(dir));
  }

  @Test
  void sendsTheRateLimitsForTheRequestsModelAndSource() throws Exception {
    decide(request());
    assertThat(lastInput.get().path("source").asText()).isEqualTo("http");
    assertThat(lastInput.get().path("rate_limits"))
        .isEqualTo(
            Json.mapper()
                .readTree(
                    "{\"requests\":600,\"window_ms\":60000,\"tokens_per_minute\":200000,"
                        + "\"daily_tokens\":5000000}"));

    decide(
        StageRequests.verified(
            "acme",
            "alice",
            StageRequests.chat("openai:gpt-4o", StageRequests.user("q"), 8, null)));
    assertThat(lastInput.get().path("rate_limits").path("tokens_per_minute").asLong())
        .isEqualTo(50_000);
    assertThat(lastInput.get().path("rate_limits").path("concurrent").asInt()).isEqualTo(2);

    VerifiedRequest http =
        StageRequests.verified(
            "globex", "alice", StageRequests.chat("stub", StageRequests.user("q"), 8, null));
    decide(http);
    assertThat(lastInput.get().path("rate_limits").path("requests").asLong()).isEqualTo(5);
    assertThat(lastInput.get().path("rate_limits").path("window_ms").asLong()).isEqualTo(1_000);

    decide(withSource(http, Source.BATCH));
    assertThat(lastInput.get().path("source").asText()).isEqualTo("batch");
    assertThat(lastInput.get().path("rate_limits").path("requests").asLong()).isEqualTo(100);
    assertThat(lastInput.get().path("rate_limits").path("window_ms").asLong()).isEqualTo(1_000);
  }

  @Test
  void theInputNamesTheRequestsOptionsAndToolsButNeverTheirText() throws Exception {
    VerifiedRequest request =
        request()
            .withRequest(
                ChatRequests.parse(
                    Json.mapper()
                        .readTree(
                            """
                            {"model":"stub","messages":[{"role":"user","content":"secret words"}],
                             "service_tier":"priority","reasoning_effort":"high","store":true,
                             "response_format":{"type":"json_object"},"seed":4,
                             "prediction":{"type":"content","content":"predicted secret"},
                             "tools":[{"type":"function","function":{"name":"lookup",
                               "description":"a secret description"}}]}
                            """)));
    String body = new String(OpaPolicy.input(request, RateLimits.NONE), StandardCharsets.UTF_8);
    JsonNode input = Json.mapper().readTree(body).path("input");

    assertThat(input.path("request_fields"))
        .extracting(JsonNode::asText)
        .containsExactly(
            "response_format", "seed", "store", "reasoning_effort", "service_tier", "prediction");
    assertThat(input.path("tools")).extracting(JsonNode::asText).containsExactly("lookup");
    assertThat(input.path("service_tier").asText()).isEqualTo("priority");
    assertThat(input.path("reasoning_effort").asText()).isEqualTo("high");
    assertThat(input.path("response_format").asText()).isEqualTo("json_object");
    assertThat(input.path("store").asBoolean()).isTrue();
    assertThat(body).doesNotContain("secret");
  }

  @Test
  void withoutLimitsTheInputSaysSo() {
    JsonNode input;
    try {
      input =
          Json.mapper()
              .readTree(OpaPolicy.input(request(), RateLimits.NONE))
              .path("input")
              .path("rate_limits");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    assertThat(input.isObject()).isTrue();
    assertThat(input).isEmpty();
  }

  private static VerifiedRequest withSource(VerifiedRequest request, Source source) {
    return new VerifiedRequest(
        request.requestId(),
        request.principal(),
        source,
        request.replyTo(),
        request.idempotencyKey(),
        request.clientIp(),
        request.batchId(),
        request.customId(),
        request.acceptedAtMs(),
        request.request(),
        request.risk());
  }

  @Test
  void sendsEveryChunksSourceNotOnlyTheFirst() throws Exception {
    RagContext context =
        new RagContext(
            "kb://approved/hr",
            List.of(
                new RagChunk("c1", "pay scales", null),
                new RagChunk("c2", "the wiki page", "kb://internal/wiki"),
                new RagChunk("c3", "more pay", null)));
    decide(
        StageRequests.verified(
            "acme", "contractor", StageRequests.chat("stub", StageRequests.user("q"), 8, context)));

    JsonNode input = lastInput.get();
    assertThat(input.path("context_sources"))
        .extracting(JsonNode::asText)
        .containsExactly("kb://approved/hr", "kb://internal/wiki", "kb://approved/hr");
    assertThat(input.path("context_source").asText()).isEqualTo("kb://approved/hr");
  }

  @Test
  void sendsSourcesInCanonicalFormSoARegoPrefixCannotBeDodgedBySpelling() throws Exception {
    RagContext context =
        new RagContext(
            null,
            List.of(
                new RagChunk("c1", "a", "KB://Internal/wiki"),
                new RagChunk("c2", "b", "kb://internal%2Fwiki"),
                new RagChunk("c3", "c", "kb://internal/old/..//wiki")));
    decide(
        StageRequests.verified(
            "acme", "contractor", StageRequests.chat("stub", StageRequests.user("q"), 8, context)));

    assertThat(lastInput.get().path("context_sources"))
        .extracting(JsonNode::asText)
        .containsExactly("kb://internal/wiki", "kb://internal/wiki", "kb://internal/wiki");
  }

  @Test
  void withoutContextTheSourcesAreAnEmptyList() throws Exception {
    decide(
        StageRequests.verified(
            "acme", "alice", StageRequests.chat("stub", StageRequests.user("q"), 8, null)));

    JsonNode input = lastInput.get();
    assertThat(input.path("context_sources").isArray()).isTrue();
    assertThat(input.path("context_sources")).isEmpty();
    assertThat(input.path("context_source").asText()).isEmpty();
  }

  @Test
  void aNonEmptyListDeniesWithItsItemsAsReasons() throws Exception {
    answer.set("{\"result\":[\"no wiki for contractors\",\"suspended\"]}");
    Refusal refusal = decide(request()).orElseThrow();
    assertThat(refusal.code().status()).isEqualTo(403);
    assertThat(refusal.code().code()).isEqualTo("policy_denied");
    assertThat(refusal.error().reasons()).containsExactly("no wiki for contractors", "suspended");
  }

  @Test
  void trueDeniesAndFalseAllows() throws Exception {
    answer.set("{\"result\":true}");
    assertThat(decide(request())).isPresent();
    answer.set("{\"result\":false}");
    assertThat(decide(request())).isEmpty();
  }

  @Test
  void failsClosedWhenOpaCannotGiveAClearAnswer() throws Exception {
    answer.set("{}"); // no such rule: OPA answers without a result
    assertUnavailable();
    answer.set("not json");
    assertUnavailable();
    answer.set("{\"result\":\"yes\"}");
    assertUnavailable();
    answer.set("{\"result\":[]}");
    status.set(500);
    assertUnavailable();
    status.set(200);
    delayMs.set(3_000L); // beyond OPA_TIMEOUT_MS
    assertUnavailable();
    delayMs.set(0L);
    server.stop(0); // down
    assertUnavailable();
  }

  @Test
  void failsClosedWhenTheBodyStallsAfterTheHeaders() throws Exception {
    body.set(Body.STALLS);
    // The future completes, well before the stand-in would ever finish (60 s), with the refusal.
    Refusal refusal = opa.decide(request()).get(30, TimeUnit.SECONDS).orElseThrow();
    assertThat(refusal.code().status()).isEqualTo(503);
    assertThat(refusal.code().code()).isEqualTo("policy_unavailable");
    assertThat(refusal.error().reasons()).containsExactly("OPA did not answer in time");
  }

  @Test
  void failsClosedWhenTheBodyTricklesPastTheTimeout() throws Exception {
    body.set(Body.TRICKLES);
    Refusal refusal = opa.decide(request()).get(30, TimeUnit.SECONDS).orElseThrow();
    assertThat(refusal.code().status()).isEqualTo(503);
    assertThat(refusal.code().code()).isEqualTo("policy_unavailable");
    assertThat(refusal.error().reasons()).containsExactly("OPA did not answer in time");
    // The call is abandoned, not left reading: the stand-in sees the connection go.
    assertThat(hungUp.await(30, TimeUnit.SECONDS)).as("the gateway hung up").isTrue();
  }

  @Test
  void theStageRefusesThroughTheSameFailureWhenTheChainGivesUp() {
    // The chain's own deadline (a late answer) maps through failed(): still 503, never 504.
    Refusal refusal = opa.failed(new java.util.concurrent.TimeoutException());
    assertThat(refusal.code().status()).isEqualTo(503);
    assertThat(refusal.code().code()).isEqualTo("policy_unavailable");
  }

  private void assertUnavailable() throws Exception {
    Refusal refusal = decide(request()).orElseThrow();
    assertThat(refusal.code().status()).isEqualTo(503);
    assertThat(refusal.code().code()).isEqualTo("policy_unavailable");
  }
}

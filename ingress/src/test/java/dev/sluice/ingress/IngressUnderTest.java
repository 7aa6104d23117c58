package dev.sluice.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.auth.TestTokens;
import dev.sluice.auth.TokenVerifier;
import dev.sluice.config.Env;
import dev.sluice.policy.EnabledModels;
import dev.sluice.policy.ModelAccess;
import dev.sluice.policy.PolicyBundle;
import dev.sluice.schemas.Json;
import dev.sluice.schemas.envelope.RequestEnvelope;
import dev.sluice.topics.Topics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.producer.MockProducer;

/**
 * The ingress's HTTP app on a free port, in-process and without Kafka: requests go to a {@link
 * MockProducer} (its history is what would have been published), replies come from a {@link
 * FakeReplyInbox}, readiness from a fixed report. Real HTTP over a socket, so Jetty's own limits
 * (request size, chunked bodies, header size) apply as in production.
 *
 * <p>javalin-testtools is not published for Javalin 7.2.3, so this starts the app on port 0 and
 * talks to it with {@link HttpClient}.
 */
final class IngressUnderTest implements AutoCloseable {
  static final int MAX_REQUEST_BYTES = 64 * 1024;
  static final long REQUEST_TIMEOUT_MS = 30_000;
  static final int REPLY_PARTITION = 4;
  static final Readiness.Report READY =
      new Readiness.Report(
          "LOCAL", true, Map.of("kafka", true, "topics", true, "pipeline", true), "sha256:test");

  private final TokenVerifier verifier;
  private final MockProducer<String, RequestEnvelope> producer;
  private final FakeReplyInbox inbox = new FakeReplyInbox(REPLY_PARTITION);
  private final GatewayApp app;
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  private IngressUnderTest(
      TokenVerifier verifier,
      MockProducer<String, RequestEnvelope> producer,
      Map<String, String> settings,
      LongSupplier clockMs) {
    this.verifier = verifier;
    this.producer = producer;
    Map<String, String> env = new HashMap<>(settings);
    env.putIfAbsent("MAX_REQUEST_BYTES", Integer.toString(MAX_REQUEST_BYTES));
    env.putIfAbsent("REQUEST_TIMEOUT_MS", Long.toString(REQUEST_TIMEOUT_MS));
    // Tests refuse many credentials from 127.0.0.1 in a row; the limit's own tests turn it on.
    env.putIfAbsent("AUTH_FAILURE_LIMIT_PER_SECOND", "0");
    IngressSettings ingress = IngressSettings.from(Env.of(env));
    int limit = ingress.authFailureLimitPerSecond();
    this.app =
        new GatewayApp(
            ingress,
            verifier,
            new RequestPublisher(producer),
            inbox,
            new Readiness(() -> CompletableFuture.completedFuture(READY)),
            new ModelAccess(EnabledModels.from(Env.of(env)), PolicyBundle.empty()),
            new AuthFailureLimiter(limit, AuthFailureLimiter.addressesFor(limit), clockMs));
    app.javalin().start(0);
  }

  /** An ingress with DEV_MODE on that publishes every request successfully. */
  static IngressUnderTest start() {
    return start(TestTokens.verifier(true));
  }

  static IngressUnderTest start(TokenVerifier verifier) {
    return start(verifier, acknowledgingProducer());
  }

  static IngressUnderTest start(
      TokenVerifier verifier, MockProducer<String, RequestEnvelope> producer) {
    return new IngressUnderTest(verifier, producer, Map.of(), IngressUnderTest::monotonicMs);
  }

  /** An ingress with DEV_MODE on and {@code settings} over the test's own (variable to value). */
  static IngressUnderTest start(Map<String, String> settings) {
    return start(settings, IngressUnderTest::monotonicMs);
  }

  /** As {@link #start(Map)}, the limit on failed authentications reading {@code clockMs}. */
  static IngressUnderTest start(Map<String, String> settings, LongSupplier clockMs) {
    return new IngressUnderTest(
        TestTokens.verifier(true), acknowledgingProducer(), settings, clockMs);
  }

  private static long monotonicMs() {
    return System.nanoTime() / 1_000_000;
  }

  int port() {
    return app.javalin().port();
  }

  /** A producer that sends at once, through the real serializers of {@code llm.requests}. */
  static MockProducer<String, RequestEnvelope> acknowledgingProducer() {
    return new MockProducer<>(
        true,
        null,
        Topics.REQUESTS.keySerde().serializer(),
        Topics.REQUESTS.valueSerde().serializer());
  }

  /** Forgets what earlier tests published and scripted. */
  void reset() {
    producer.clear();
    inbox.reset();
  }

  MockProducer<String, RequestEnvelope> producer() {
    return producer;
  }

  FakeReplyInbox inbox() {
    return inbox;
  }

  URI url(String path) {
    return URI.create("http://127.0.0.1:" + app.javalin().port() + path);
  }

  HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(url(path)).timeout(Duration.ofSeconds(30));
  }

  /** {@code POST /v1/chat/completions} without a body yet. */
  HttpRequest.Builder chatRequest(String token, String contentType) {
    return request("/v1/chat/completions")
        .header("Content-Type", contentType)
        .header("Authorization", "Bearer " + token);
  }

  HttpResponse<String> send(HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** {@code POST /v1/chat/completions} with a JSON body and a bearer token. */
  HttpResponse<String> chat(String body, String token) {
    return send(
        chatRequest(token, "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
            .build());
  }

  /**
   * Checks a refusal: the status and code, OpenAI's error shape, no echo of {@code neverEchoed}
   * (the token, the body), nothing published and nothing waited for. The app answers a refusal
   * before it could publish, so the producer's history is final when the response arrives.
   */
  JsonNode assertRefused(
      HttpResponse<String> response, int status, String code, String... neverEchoed) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    JsonNode error = assertErrorShape(response);
    assertThat(response.statusCode()).as(response.body()).isLessThan(500);
    assertThat(error.path("code").asText()).isEqualTo(code);
    for (String secret : neverEchoed) {
      assertThat(response.body()).doesNotContain(secret);
    }
    assertNothingPublished();
    return error;
  }

  void assertNothingPublished() {
    assertThat(producer.history()).as("records sent to %s", Topics.REQUESTS.name()).isEmpty();
    assertThat(inbox.waits()).as("replies waited for").isEmpty();
  }

  /** OpenAI's error shape with the gateway's request id, matching the x-request-id header. */
  static JsonNode assertErrorShape(HttpResponse<String> response) {
    assertThat(response.headers().firstValue("Content-Type"))
        .hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
    JsonNode body = json(response.body());
    assertThat(body.isObject()).isTrue();
    assertThat(body.size()).as(response.body()).isEqualTo(1);
    JsonNode error = body.path("error");
    assertThat(error.isObject()).as(response.body()).isTrue();
    assertThat(error.path("message").asText()).isNotBlank();
    assertThat(error.path("type").asText()).isNotBlank();
    assertThat(error.path("code").asText()).isNotBlank();
    assertThat(error.path("request_id").asText()).isNotBlank();
    assertThat(response.headers().firstValue("x-request-id"))
        .hasValue(error.path("request_id").asText());
    return error;
  }

  /**
   * A 200 in OpenAI's {@code chat.completion} shape answering {@code expected}, under the request
   * id of the x-request-id header.
   */
  static JsonNode assertCompletion(HttpResponse<String> response, String expected) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type"))
        .hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
    JsonNode body = json(response.body());
    assertThat(body.path("id").asText()).isNotBlank();
    assertThat(body.path("object").asText()).isEqualTo("chat.completion");
    assertThat(body.path("created").isIntegralNumber()).isTrue();
    assertThat(body.path("created").asLong())
        .isBetween(Instant.now().getEpochSecond() - 300, Instant.now().getEpochSecond() + 5);
    assertThat(body.path("model").asText()).isEqualTo("stub");
    assertThat(body.path("choices")).hasSize(1);
    JsonNode choice = body.path("choices").get(0);
    assertThat(choice.path("message").path("role").asText()).isEqualTo("assistant");
    assertThat(choice.path("message").path("content").asText()).isEqualTo(expected);
    assertThat(choice.path("finish_reason").asText()).isEqualTo("stop");
    JsonNode usage = body.path("usage");
    assertThat(usage.path("prompt_tokens").asInt()).isPositive();
    assertThat(usage.path("completion_tokens").asInt()).isPositive();
    assertThat(usage.path("total_tokens").asInt())
        .isEqualTo(usage.path("prompt_tokens").asInt() + usage.path("completion_tokens").asInt());
    assertThat(body.path("answer").asText()).isEqualTo(expected);
    assertThat(body.path("citations").isArray()).isTrue();
    assertThat(body.path("meta").path("provider").asText()).isEqualTo("stub");
    String requestId = body.path("meta").path("request_id").asText();
    assertThat(requestId).isNotBlank();
    assertThat(response.headers().firstValue("x-request-id")).hasValue(requestId);
    return body;
  }

  static JsonNode json(String body) {
    try {
      return Json.mapper().readTree(body);
    } catch (IOException e) {
      throw new UncheckedIOException("not JSON: " + body, e);
    }
  }

  static String chatBody(String text) {
    return "{\"model\":\"stub\",\"messages\":[{\"role\":\"user\",\"content\":"
        + quote(text)
        + "}]}";
  }

  static String quote(String text) {
    try {
      return Json.mapper().writeValueAsString(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Stops as the ingress process does on SIGTERM ({@link GatewayApp#stop}). */
  @Override
  public void close() {
    app.stop();
    verifier.close();
  }
}

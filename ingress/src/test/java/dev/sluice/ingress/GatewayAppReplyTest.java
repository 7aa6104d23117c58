package dev.sluice.ingress;

import static dev.sluice.ingress.IngressUnderTest.REPLY_PARTITION;
import static dev.sluice.ingress.IngressUnderTest.REQUEST_TIMEOUT_MS;
import static dev.sluice.ingress.IngressUnderTest.assertCompletion;
import static dev.sluice.ingress.IngressUnderTest.assertErrorShape;
import static dev.sluice.ingress.IngressUnderTest.chatBody;
import static dev.sluice.ingress.IngressUnderTest.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.auth.TestTokens;
import dev.sluice.schemas.envelope.ReplyNonce;
import dev.sluice.schemas.envelope.RequestEnvelope;
import dev.sluice.schemas.reply.ErrorCode;
import dev.sluice.schemas.reply.Outcome;
import dev.sluice.schemas.reply.RateLimitState;
import dev.sluice.schemas.reply.ReplyEnvelope;
import dev.sluice.schemas.reply.UpstreamRateLimits;
import dev.sluice.topics.Topics;
import java.io.ByteArrayInputStream;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An accepted request is published once, as the envelope the pipeline expects, and its reply (or
 * the lack of one) is mapped to HTTP: status, body, Retry-After and Server-Timing.
 */
class GatewayAppReplyTest {
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

  // --- what is published -----------------------------------------------------------------------

  @Test
  void publishesAnAcceptedRequestOnceKeyedByTenantWithItsReplyAddress() {
    HttpResponse<String> response =
        ingress.send(
            ingress
                .chatRequest(acmeToken, "application/json; charset=utf-8")
                .header("Idempotency-Key", "order-42")
                .POST(HttpRequest.BodyPublishers.ofString(chatBody("hello from acme")))
                .build());

    assertCompletion(response, "echo");
    String requestId = response.headers().firstValue("x-request-id").orElseThrow();
    List<ProducerRecord<String, RequestEnvelope>> sent = ingress.producer().history();
    assertThat(sent).hasSize(1);
    ProducerRecord<String, RequestEnvelope> record = sent.get(0);
    assertThat(record.topic()).isEqualTo(Topics.REQUESTS.name());
    assertThat(record.key()).isEqualTo("acme");
    // Nothing of the caller's request rides in Kafka headers; the envelope is the whole contract.
    assertThat(record.headers().toArray()).isEmpty();
    RequestEnvelope envelope = record.value();
    assertThat(envelope.schemaVersion()).isEqualTo(RequestEnvelope.VERSION);
    assertThat(envelope.requestId()).isEqualTo(requestId);
    assertThat(envelope.tenant()).isEqualTo("acme");
    assertThat(envelope.credential()).isEqualTo(acmeToken);
    assertThat(envelope.replyTo().topic()).isEqualTo(Topics.REPLIES.name());
    assertThat(envelope.replyTo().partition()).isEqualTo(REPLY_PARTITION);
    assertThat(envelope.replyTo().nonce()).isNotNull();
    assertThat(envelope.idempotencyKey()).isEqualTo("order-42");
    assertThat(envelope.clientIp()).isEqualTo("127.0.0.1");
    assertThat(envelope.batchId()).isNull();
    assertThat(envelope.customId()).isNull();
    assertThat(envelope.request()).isEqualTo(json(chatBody("hello from acme")));
    assertThat(ingress.inbox().waits())
        .containsExactly(
            new FakeReplyInbox.Wait(
                requestId, "acme", envelope.replyTo().nonce(), REQUEST_TIMEOUT_MS));
  }

  @Test
  void eachRequestSendsAFreshNonceAndWaitsForThatOne() {
    for (int i = 0; i < 3; i++) {
      assertCompletion(ingress.chat(chatBody("question " + i), acmeToken), "echo");
    }

    List<ReplyNonce> sent =
        ingress.producer().history().stream().map(r -> r.value().replyTo().nonce()).toList();
    assertThat(sent).doesNotContainNull().doesNotHaveDuplicates().hasSize(3);
    assertThat(ingress.inbox().waits()).extracting(FakeReplyInbox.Wait::nonce).isEqualTo(sent);
    // It never shows in what a log line would print of the envelope.
    ingress
        .producer()
        .history()
        .forEach(
            r ->
                assertThat(r.value().toString())
                    .doesNotContain(r.value().replyTo().nonce().value()));
  }

  @Test
  void publishesTheRequestInsideAReqWrapper() {
    HttpResponse<String> response =
        ingress.chat("{\"req\":" + chatBody("wrapped question") + "}", acmeToken);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(ingress.producer().history()).hasSize(1);
    assertThat(ingress.producer().history().get(0).value().request())
        .isEqualTo(json(chatBody("wrapped question")));
  }

  @Test
  void publishesTextBeyondAsciiIntactAndIgnoresAUtf8ByteOrderMark() {
    String text = "héllo, 日本語, emoji 🎉, escaped \\u00e9";
    byte[] utf8 = chatBody(text).getBytes(StandardCharsets.UTF_8);
    byte[] withMark = new byte[utf8.length + 3];
    withMark[0] = (byte) 0xEF;
    withMark[1] = (byte) 0xBB;
    withMark[2] = (byte) 0xBF;
    System.arraycopy(utf8, 0, withMark, 3, utf8.length);

    for (byte[] body : List.of(utf8, withMark)) {
      ingress.reset();
      HttpResponse<String> response =
          ingress.send(
              ingress
                  .chatRequest(acmeToken, "application/json; charset=UTF-8")
                  .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                  .build());

      assertCompletion(response, "echo");
      assertThat(ingress.producer().history()).hasSize(1);
      assertThat(ingress.producer().history().get(0).value().request())
          .isEqualTo(json(chatBody(text)));
    }
  }

  @Test
  void publishesAChunkedBodyUnderTheLimitIntact() {
    byte[] body = chatBody("sent in chunks").getBytes(StandardCharsets.UTF_8);

    HttpResponse<String> response =
        ingress.send(
            ingress
                .chatRequest(acmeToken, "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)))
                .build());

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(ingress.producer().history()).hasSize(1);
    assertThat(ingress.producer().history().get(0).value().request())
        .isEqualTo(json(chatBody("sent in chunks")));
  }

  @Test
  void leavesTheShapesThePipelineJudgesToThePipeline() {
    List<String> bodies =
        List.of(
            "{\"model\":\"stub\",\"max_completion_tokens\":64,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"short please\"}]}",
            "{\"model\":\"stub\",\"messages\":["
                + "{\"role\":\"developer\",\"content\":\"answer tersely\"},"
                + "{\"role\":\"user\",\"content\":\"what is Kafka?\"}]}",
            "{\"model\":\"stub\",\"messages\":[{\"role\":\"user\",\"content\":["
                + "{\"type\":\"text\",\"text\":\"first part\"},"
                + "{\"type\":\"text\",\"text\":\"second part\"}]}]}",
            "{\"model\":\"stub\",\"frobnicate\":{\"depth\":[1,2,3]},\"logit_bias\":{},"
                + "\"metadata\":{\"team\":\"x\"},\"messages\":[{\"role\":\"user\","
                + "\"content\":\"still fine\",\"annotations\":[]}]}",
            "{\"model\":\"openai:gpt-9\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}",
            "{\"model\":\"stub\",\"messages\":[{\"role\":\"wizard\",\"content\":\"x\"}]}");
    for (String body : bodies) {
      HttpResponse<String> response = ingress.chat(body, acmeToken);
      assertThat(response.statusCode()).as(body).isEqualTo(200);
    }

    assertThat(ingress.producer().history())
        .extracting(record -> record.value().request())
        .containsExactlyElementsOf(bodies.stream().map(IngressUnderTest::json).toList());
  }

  // --- how a reply is answered -----------------------------------------------------------------

  @Test
  void answersACompletionWith200AndTheStageTimings() {
    ingress
        .inbox()
        .answerWith(
            wait ->
                FakeReplyInbox.completion(
                    wait, "echo: hi", Map.of("provider", 1.5, "admission", 0.07)));

    HttpResponse<String> response = ingress.chat(chatBody("hi"), acmeToken);

    JsonNode body = assertCompletion(response, "echo: hi");
    assertThat(body.path("meta").path("provider").asText()).isEqualTo("stub");
    assertThat(body.path("usage").path("prompt_tokens").asInt()).isEqualTo(3);
    assertThat(response.headers().firstValue("Server-Timing"))
        .hasValue("admission;dur=0.07, provider;dur=1.5");
    assertThat(response.headers().firstValue("Retry-After")).isEmpty();
  }

  @Test
  void aProviderFailureAfterTheGatewaysRetriesTellsTheSdkNotToRetry() {
    ingress
        .inbox()
        .answerWith(
            wait ->
                denial(
                    wait, ErrorCode.PROVIDER_ERROR, "the provider failed (500)", List.of(), null));

    HttpResponse<String> failed = ingress.chat(chatBody("hi"), acmeToken);

    assertThat(failed.statusCode()).as(failed.body()).isEqualTo(502);
    assertThat(failed.headers().firstValue("x-should-retry")).hasValue("false");

    ingress
        .inbox()
        .answerWith(wait -> denial(wait, ErrorCode.POLICY_DENIED, "denied", List.of("no"), null));
    assertThat(ingress.chat(chatBody("hi"), acmeToken).headers().firstValue("x-should-retry"))
        .as("only a 502 or 504 says so")
        .isEmpty();
  }

  @Test
  void answersADenialWithItsStatusCodeAndReasons() {
    ingress
        .inbox()
        .answerWith(
            wait ->
                denial(
                    wait,
                    ErrorCode.POLICY_DENIED,
                    "the policy denies this request",
                    List.of("suspended subjects may not use the gateway"),
                    null));

    HttpResponse<String> response = ingress.chat(chatBody("let me in"), acmeToken);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(403);
    JsonNode error = assertErrorShape(response);
    assertThat(error.path("code").asText()).isEqualTo("policy_denied");
    assertThat(error.path("type").asText()).isEqualTo("permission_error");
    assertThat(error.path("message").asText()).isEqualTo("the policy denies this request");
    assertThat(error.path("reasons").get(0).asText())
        .isEqualTo("suspended subjects may not use the gateway");
    assertThat(response.headers().firstValue("Retry-After")).isEmpty();
    assertThat(response.headers().firstValue("Server-Timing")).isEmpty();
  }

  @Test
  void answersARateLimitWith429AndRetryAfter() {
    ingress
        .inbox()
        .answerWith(
            wait ->
                denial(
                    wait,
                    ErrorCode.RATE_LIMITED,
                    "rate limit reached",
                    List.of("requests per minute"),
                    7));

    HttpResponse<String> response = ingress.chat(chatBody("again"), acmeToken);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(429);
    assertThat(assertErrorShape(response).path("code").asText()).isEqualTo("rate_limited");
    assertThat(response.headers().firstValue("Retry-After")).hasValue("7");
  }

  @Test
  void answersAProvidersRateLimitWithItsFiguresBesideTheGateways() {
    ingress
        .inbox()
        .answerWith(
            wait ->
                denial(
                        wait,
                        ErrorCode.RATE_LIMITED,
                        "the provider is rate limiting",
                        List.of(UpstreamRateLimits.REASON),
                        3)
                    .withUpstreamRateLimits(
                        Map.of(
                            "limit-requests", "500",
                            "reset-tokens", "1m4.2s",
                            // Never written: not one of OpenAI's names, or not a figure.
                            "limit-bananas", "1",
                            "limit-tokens", "1\r\nSet-Cookie: x=y")));

    HttpResponse<String> response = ingress.chat(chatBody("busy"), acmeToken);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(429);
    HttpHeaders headers = response.headers();
    assertThat(headers.firstValue("x-upstream-ratelimit-limit-requests")).hasValue("500");
    assertThat(headers.firstValue("x-upstream-ratelimit-reset-tokens")).hasValue("1m4.2s");
    assertThat(headers.firstValue("x-upstream-ratelimit-limit-bananas")).isEmpty();
    assertThat(headers.firstValue("x-upstream-ratelimit-limit-tokens")).isEmpty();
    assertThat(headers.firstValue("set-cookie")).isEmpty();
    // After the gateway's own retries: the SDKs are told not to call the provider three times more.
    assertThat(headers.firstValue("x-should-retry")).hasValue("false");
  }

  @Test
  void answersACompletionWithOpenAisRateLimitHeaders() {
    ingress
        .inbox()
        .answerWith(
            wait ->
                FakeReplyInbox.completion(wait, "echo: counted")
                    .withRateLimits(
                        new RateLimitState(60L, 59L, 1_000L, 150_000L, 149_984L, 360_000L, null)));

    HttpResponse<String> response = ingress.chat(chatBody("counted"), acmeToken);

    assertCompletion(response, "echo: counted");
    HttpHeaders headers = response.headers();
    assertThat(headers.firstValue("x-ratelimit-limit-requests")).hasValue("60");
    assertThat(headers.firstValue("x-ratelimit-remaining-requests")).hasValue("59");
    assertThat(headers.firstValue("x-ratelimit-reset-requests")).hasValue("1s");
    assertThat(headers.firstValue("x-ratelimit-limit-tokens")).hasValue("150000");
    assertThat(headers.firstValue("x-ratelimit-remaining-tokens")).hasValue("149984");
    assertThat(headers.firstValue("x-ratelimit-reset-tokens")).hasValue("6m0s");
    assertThat(headers.firstValue("Retry-After")).isEmpty();
    assertThat(headers.firstValue("retry-after-ms")).isEmpty();
  }

  @Test
  void writesOnlyTheRateLimitHeadersWhoseFigureIsPresent() {
    ingress
        .inbox()
        .answerWith(
            wait ->
                FakeReplyInbox.completion(wait, "echo: requests only")
                    .withRateLimits(new RateLimitState(3L, 2L, 2_000L, null, null, null, null)));

    HttpResponse<String> limited = ingress.chat(chatBody("requests only"), acmeToken);

    assertCompletion(limited, "echo: requests only");
    assertThat(rateLimitHeaders(limited))
        .containsOnlyKeys(
            "x-ratelimit-limit-requests",
            "x-ratelimit-remaining-requests",
            "x-ratelimit-reset-requests");
    assertThat(limited.headers().firstValue("x-ratelimit-reset-requests")).hasValue("2s");

    ingress.reset();
    HttpResponse<String> unlimited = ingress.chat(chatBody("no limits"), acmeToken);

    assertCompletion(unlimited, "echo");
    assertThat(rateLimitHeaders(unlimited)).isEmpty();
  }

  @Test
  void answersARateLimitWithBothRetryHeadersAndTheFigures() {
    ingress
        .inbox()
        .answerWith(
            wait ->
                denial(
                        wait,
                        ErrorCode.RATE_LIMITED,
                        "rate limit reached",
                        List.of("requests per window"),
                        2)
                    .withRateLimits(new RateLimitState(3L, 0L, 1_250L, null, null, null, 1_250L)));

    HttpResponse<String> response = ingress.chat(chatBody("one too many"), acmeToken);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(429);
    JsonNode error = assertErrorShape(response);
    assertThat(error.path("code").asText()).isEqualTo("rate_limited");
    assertThat(error.path("type").asText()).isEqualTo("rate_limit_error");
    HttpHeaders headers = response.headers();
    assertThat(headers.firstValue("Retry-After")).hasValue("2");
    assertThat(headers.firstValue("retry-after-ms")).hasValue("1250");
    assertThat(headers.firstValue("x-ratelimit-limit-requests")).hasValue("3");
    assertThat(headers.firstValue("x-ratelimit-remaining-requests")).hasValue("0");
    assertThat(headers.firstValue("x-ratelimit-reset-requests")).hasValue("1.25s");
    assertThat(headers.firstValue("x-ratelimit-limit-tokens")).isEmpty();
  }

  @Test
  void answersARateLimitWithoutSecondsFromItsMillisecondsRoundedUp() {
    ingress
        .inbox()
        .answerWith(
            wait ->
                denial(wait, ErrorCode.RATE_LIMITED, "rate limit reached", List.of(), null)
                    .withRateLimits(new RateLimitState(null, null, null, 1_000L, 0L, 400L, 400L)));

    HttpResponse<String> response = ingress.chat(chatBody("tokens gone"), acmeToken);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(429);
    assertThat(response.headers().firstValue("Retry-After")).hasValue("1");
    assertThat(response.headers().firstValue("retry-after-ms")).hasValue("400");
    assertThat(response.headers().firstValue("x-ratelimit-reset-tokens")).hasValue("400ms");
  }

  @Test
  void answers504WithTheRequestIdWhenNoReplyArrivesInTime() {
    ingress.inbox().timeOut();

    HttpResponse<String> response = ingress.chat(chatBody("slow"), acmeToken);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(504);
    JsonNode error = assertErrorShape(response);
    assertThat(error.path("code").asText()).isEqualTo("gateway_timeout");
    assertThat(error.path("type").asText()).isEqualTo("timeout_error");
    assertThat(response.headers().firstValue("x-should-retry"))
        .as("a retry would send the request again while it may still be running")
        .hasValue("false");
    assertThat(error.path("message").asText())
        .isEqualTo(
            "no answer within "
                + REQUEST_TIMEOUT_MS
                + " ms; the request was accepted: fetch its answer later with GET /v1/requests/"
                + error.path("request_id").asText());
    // The request was accepted: it is on the topic and its answer will be kept there.
    assertThat(ingress.producer().history()).hasSize(1);
    assertThat(ingress.producer().history().get(0).value().requestId())
        .isEqualTo(error.path("request_id").asText());
    assertThat(ingress.inbox().forgotten()).isEmpty();
  }

  // --- publishing fails ------------------------------------------------------------------------

  @Test
  void answers503AndStopsWaitingWhenTheProducerRefusesTheRecord() {
    MockProducer<String, RequestEnvelope> failing = IngressUnderTest.acknowledgingProducer();
    failing.sendException = new KafkaException("no broker");
    try (IngressUnderTest down = IngressUnderTest.start(TestTokens.verifier(false), failing)) {
      down.inbox().neverAnswer();

      assertUnavailable(down, down.chat(chatBody("anyone?"), acmeToken));
    }
  }

  @Test
  void answers503AndStopsWaitingWhenTheBrokerNeverAcknowledges() {
    // Sends are accepted, then fail as a delivery timeout would: asynchronously, in the callback.
    MockProducer<String, RequestEnvelope> unacknowledged =
        new MockProducer<>(
            false,
            null,
            Topics.REQUESTS.keySerde().serializer(),
            Topics.REQUESTS.valueSerde().serializer()) {
          @Override
          public synchronized Future<RecordMetadata> send(
              ProducerRecord<String, RequestEnvelope> record, Callback callback) {
            Future<RecordMetadata> sent = super.send(record, callback);
            errorNext(new TimeoutException("delivery timed out"));
            return sent;
          }
        };
    try (IngressUnderTest down =
        IngressUnderTest.start(TestTokens.verifier(false), unacknowledged)) {
      down.inbox().neverAnswer();

      assertUnavailable(down, down.chat(chatBody("anyone?"), acmeToken));
    }
  }

  // --- readiness -------------------------------------------------------------------------------

  @Test
  void readyzReportsEachCheckAndTheReplyReader() {
    HttpResponse<String> response = ingress.send(ingress.request("/readyz").build());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type"))
        .hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
    JsonNode body = json(response.body());
    assertThat(body.path("mode").asText()).isEqualTo("LOCAL");
    assertThat(body.path("ready").booleanValue()).isTrue();
    assertThat(body.path("policyVersion").asText()).isEqualTo("sha256:test");
    JsonNode checks = body.path("checks");
    assertThat(checks.path("kafka").booleanValue()).isTrue();
    assertThat(checks.path("topics").booleanValue()).isTrue();
    assertThat(checks.path("pipeline").booleanValue()).isTrue();
    assertThat(checks.path("replies").booleanValue()).isTrue();
  }

  @Test
  void readyzAnswers503WhenRepliesAreNotRead() {
    ingress.inbox().alive(false);

    HttpResponse<String> response = ingress.send(ingress.request("/readyz").build());

    assertThat(response.statusCode()).isEqualTo(503);
    JsonNode body = json(response.body());
    assertThat(body.path("ready").booleanValue()).isFalse();
    assertThat(body.path("checks").path("replies").booleanValue()).isFalse();
    assertThat(body.path("checks").path("kafka").booleanValue()).isTrue();
  }

  // --- helpers ---------------------------------------------------------------------------------

  private static void assertUnavailable(IngressUnderTest down, HttpResponse<String> response) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(503);
    JsonNode error = assertErrorShape(response);
    assertThat(error.path("code").asText()).isEqualTo("gateway_unavailable");
    assertThat(error.path("message").asText())
        .isEqualTo("the gateway could not accept the request; retry");
    assertThat(response.body()).doesNotContain(acmeToken).doesNotContain("no broker");
    String requestId = error.path("request_id").asText();
    assertThat(down.inbox().waits()).extracting(FakeReplyInbox.Wait::requestId).contains(requestId);
    assertThat(down.inbox().forgotten()).containsExactly(requestId);
  }

  private static Map<String, List<String>> rateLimitHeaders(HttpResponse<String> response) {
    Map<String, List<String>> found = new TreeMap<>();
    response
        .headers()
        .map()
        .forEach(
            (name, values) -> {
              if (name.toLowerCase(Locale.ROOT).startsWith("x-ratelimit-")) {
                found.put(name.toLowerCase(Locale.ROOT), values);
              }
            });
    return found;
  }

  private static ReplyEnvelope denial(
      FakeReplyInbox.Wait wait,
      ErrorCode code,
      String message,
      List<String> reasons,
      Integer retryAfterSeconds) {
    return new ReplyEnvelope(
        ReplyEnvelope.VERSION,
        wait.requestId(),
        wait.tenant(),
        Outcome.DENIED,
        code.status(),
        null,
        code.error(message, null, reasons).withRequestId(wait.requestId()),
        Map.of(),
        Map.of(),
        retryAfterSeconds,
        null,
        null);
  }
}

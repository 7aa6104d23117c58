package dev.sluice.ingress;

import static dev.sluice.ingress.IngressUnderTest.assertErrorShape;
import static dev.sluice.ingress.IngressUnderTest.chatBody;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.auth.TestTokens;
import dev.sluice.schemas.envelope.RequestEnvelope;
import dev.sluice.topics.Topics;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.MockProducer;
import org.junit.jupiter.api.Test;

/**
 * An ingress that stops with callers waiting answers each of them 503 {@code gateway_unavailable}
 * in the OpenAI error shape before its HTTP server goes, rather than dropping the connection or
 * letting Jetty answer with its own page.
 */
class GatewayAppShutdownTest {
  private static final int CALLERS = 50;

  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10))
          .build();

  @Test
  void everyWaitingCallerIsAnswered503WhenTheIngressStops() throws Exception {
    IngressUnderTest ingress = IngressUnderTest.start();
    ingress.inbox().neverAnswer();
    String token = TestTokens.mint("acme", Instant.now());
    List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
    for (int i = 0; i < CALLERS; i++) {
      answers.add(send(ingress, token, "caller " + i));
    }
    awaitWaits(ingress, CALLERS);
    assertThat(answers).noneMatch(CompletableFuture::isDone);

    ingress.close();

    Set<String> requestIds = new HashSet<>();
    for (CompletableFuture<HttpResponse<String>> answer : answers) {
      HttpResponse<String> response = answer.get(30, TimeUnit.SECONDS);
      requestIds.add(assertUnavailable(response));
    }
    assertThat(requestIds).hasSize(CALLERS);
    assertThat(ingress.producer().history()).hasSize(CALLERS);
  }

  @Test
  void aRequestStillBeingPublishedIsAnswered503OnceTheBrokerHasIt() throws Exception {
    MockProducer<String, RequestEnvelope> unacknowledged =
        new MockProducer<>(
            false,
            null,
            Topics.REQUESTS.keySerde().serializer(),
            Topics.REQUESTS.valueSerde().serializer());
    IngressUnderTest ingress = IngressUnderTest.start(TestTokens.verifier(true), unacknowledged);
    ingress.inbox().neverAnswer();
    String token = TestTokens.mint("acme", Instant.now());
    CompletableFuture<HttpResponse<String>> answer = send(ingress, token, "in the producer");
    awaitWaits(ingress, 1);
    while (unacknowledged.history().isEmpty()) {
      Thread.sleep(5);
    }

    CompletableFuture<Void> stopped = CompletableFuture.runAsync(ingress::close);
    // stop() holds Jetty open for the answer that follows the acknowledgement.
    while (!unacknowledged.completeNext()) {
      Thread.sleep(5);
    }
    assertUnavailable(answer.get(30, TimeUnit.SECONDS));
    stopped.get(30, TimeUnit.SECONDS);
  }

  private CompletableFuture<HttpResponse<String>> send(
      IngressUnderTest ingress, String token, String text) {
    return http.sendAsync(
        ingress
            .chatRequest(token, "application/json")
            .timeout(Duration.ofSeconds(60))
            .POST(HttpRequest.BodyPublishers.ofString(chatBody(text), StandardCharsets.UTF_8))
            .build(),
        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  private static void awaitWaits(IngressUnderTest ingress, int count) throws InterruptedException {
    long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (ingress.inbox().waits().size() < count && System.nanoTime() < giveUp) {
      Thread.sleep(10);
    }
    assertThat(ingress.inbox().waits()).hasSize(count);
  }

  /** A 503 gateway_unavailable in the OpenAI shape; returns its request id. */
  private static String assertUnavailable(HttpResponse<String> response) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(503);
    JsonNode error = assertErrorShape(response);
    assertThat(error.path("code").asText()).isEqualTo("gateway_unavailable");
    assertThat(error.path("message").asText()).contains("shutting down");
    return error.path("request_id").asText();
  }
}

package dev.sluice.launcher;

import static dev.sluice.launcher.GatewayFixture.chatBody;
import static dev.sluice.launcher.GatewayFixture.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.ingress.IngressMain;
import dev.sluice.topics.Topics;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Killing the pipeline mid-call loses no request: provider calls in flight are recorded in a
 * changelogged store, and a pipeline restarted with the same instance id (static membership) takes
 * its partitions back at once, restores the store and re-issues every open call. Each waiting HTTP
 * caller still gets its own answer.
 */
class PipelineCrashTest {
  private static final int CALLERS = 40;
  private static final long STUB_DELAY_MS = 4_000;
  private static final long REQUEST_TIMEOUT_MS = 60_000;

  @TempDir static Path dir;

  private static GatewayFixture gateway;

  @BeforeAll
  static void start() throws Exception {
    gateway =
        GatewayFixture.start(
            dir,
            Map.of(
                "STUB_DELAY_MS", Long.toString(STUB_DELAY_MS),
                "REQUEST_TIMEOUT_MS", Long.toString(REQUEST_TIMEOUT_MS),
                "PIPELINE_INSTANCE_ID", "pipeline-crash-test-1"),
            true);
  }

  @AfterAll
  static void stop() {
    if (gateway != null) {
      gateway.close();
    }
  }

  @Test
  void everyCallerIsAnsweredAfterThePipelineIsKilledMidCall() throws Exception {
    String token = gateway.minter().mint("acme", "crash-test", Duration.ofMinutes(15));
    String changelog = gateway.pendingCallsChangelog();
    assertThat(gateway.admin().listTopics().names().get(10, TimeUnit.SECONDS))
        .as("the in-flight store's changelog")
        .contains(changelog);

    long sentNs = System.nanoTime();
    List<String> messages = new ArrayList<>();
    List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
    for (int i = 0; i < CALLERS; i++) {
      String message = String.format("crash caller %02d of %d", i, CALLERS);
      messages.add(message);
      answers.add(
          gateway
              .http()
              .sendAsync(
                  gateway
                      .request("/v1/chat/completions")
                      .timeout(Duration.ofMillis(REQUEST_TIMEOUT_MS + 30_000))
                      .header("Content-Type", "application/json")
                      .header("Authorization", "Bearer " + token)
                      .POST(HttpRequest.BodyPublishers.ofString(chatBody(message)))
                      .build(),
                  HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8)));
    }

    // Every call is open in the pipeline once its pending entry is on the changelog. Waiting for
    // the input offsets to be committed as well means a restart cannot simply read the requests
    // again: only the restored in-flight store can bring the calls back.
    gateway.awaitPendingOnChangelog(messages, Duration.ofSeconds(30));
    gateway.awaitRequestsCommitted(Duration.ofSeconds(30));
    assertThat(answers).noneMatch(CompletableFuture::isDone);

    ChildProcess crashed = gateway.pipeline();
    long killedNs = System.nanoTime();
    crashed.kill();
    assertThat(crashed.isAlive()).isFalse();
    ChildProcess restarted = gateway.startPipeline();
    gateway.replacePipeline(restarted);

    CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new))
        .get(REQUEST_TIMEOUT_MS + 30_000, TimeUnit.MILLISECONDS);
    long answeredAllMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedNs);
    System.out.printf(
        "PipelineCrashTest: killed %d ms after the first call was sent; %d callers answered %d ms"
            + " after the kill (stub delay %d ms)%n",
        TimeUnit.NANOSECONDS.toMillis(killedNs - sentNs), CALLERS, answeredAllMs, STUB_DELAY_MS);

    Set<String> requestIds = new HashSet<>();
    for (int i = 0; i < CALLERS; i++) {
      HttpResponse<String> response = answers.get(i).get();
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      JsonNode body = json(response.body());
      assertThat(body.path("choices").get(0).path("message").path("content").asText())
          .isEqualTo("echo: " + messages.get(i));
      assertThat(body.path("answer").asText()).isEqualTo("echo: " + messages.get(i));
      requestIds.add(body.path("meta").path("request_id").asText());
    }
    assertThat(requestIds).hasSize(CALLERS);
    assertThat(restarted.isAlive()).isTrue();
  }

  @Test
  void aCallerWhoseWaitRunsOutGets504AndTheAnswerIsStillKept() throws Exception {
    // An ingress that waits less than the slow stub takes to answer.
    IngressMain.Running impatient = gateway.startIngress(Map.of("REQUEST_TIMEOUT_MS", "2000"));
    gateway.awaitIngressReady(impatient);
    String token = gateway.minter().mint("acme", "timeout-test", Duration.ofMinutes(5));
    HttpResponse<String> response =
        gateway.send(
            HttpRequest.newBuilder(GatewayFixture.url(impatient, "/v1/chat/completions"))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + token)
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        chatBody("patience"), StandardCharsets.UTF_8))
                .build());

    assertThat(response.statusCode()).isEqualTo(504);
    JsonNode error = json(response.body()).get("error");
    assertThat(error.get("code").asText()).isEqualTo("gateway_timeout");
    String requestId = error.get("request_id").asText();
    assertThat(requestId).isEqualTo(response.headers().firstValue("x-request-id").orElseThrow());

    // The pipeline still answers; the reply waits on llm.replies under the request id.
    List<ConsumerRecord<String, byte[]>> replies =
        gateway.readFromStart(
            Topics.REPLIES.name(),
            read -> read.stream().anyMatch(record -> requestId.equals(record.key())),
            Duration.ofSeconds(30));
    String found =
        replies.stream()
            .filter(record -> requestId.equals(record.key()))
            .map(record -> new String(record.value(), StandardCharsets.UTF_8))
            .findFirst()
            .orElse(null);
    assertThat(found).as("the reply kept on llm.replies").isNotNull();
    assertThat(json(found).get("status").asInt()).isEqualTo(200);
    assertThat(json(found).at("/completion/answer").asText()).isEqualTo("echo: patience");
  }
}

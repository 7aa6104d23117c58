package dev.sluice.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.ingress.IngressMain;
import dev.sluice.schemas.Json;
import dev.sluice.schemas.RequestIds;
import dev.sluice.tools.standins.FakeProviderServer;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Answers that outlive a timeout, on a real broker and a real pipeline JVM, with two ingress
 * instances that read disjoint reply partitions: a caller whose wait at one ingress ended in 504
 * fetches the answer later from the other ({@code GET /v1/requests/{id}}), first 202 while the
 * provider (a stand-in, OpenAI wire format, answering slowly) still works on it, then 200 with the
 * completion; the answer survives a pipeline restart that lost its local state; another tenant, an
 * unknown id and a missing credential get nothing.
 */
class StoredRepliesEndToEndTest {
  private static final String KEY = "stand-in-key";
  private static final String FAST = "openai:gpt-4o-mini";
  private static final String SLOW = "openai:slow-6000";

  @TempDir static Path dir;

  private static FakeProviderServer upstream;
  private static GatewayFixture gateway;
  private static IngressMain.Running impatient;
  private static IngressMain.Running other;

  @BeforeAll
  static void start() throws Exception {
    upstream = FakeProviderServer.start(Duration.ZERO, KEY);
    Path policies = GatewayFixture.policyBundle(dir.resolve("policies"), FAST, SLOW);
    gateway =
        GatewayFixture.start(
            dir,
            GatewayFixture.openAiStandIn(
                upstream.baseUrl(),
                KEY,
                policies,
                List.of(FAST, SLOW),
                Map.of("PIPELINE_INSTANCE_ID", "pipeline-stored-replies-e2e")),
            false);
    // One ingress gives up after 2 s; the other reads none of its reply partitions.
    impatient =
        gateway.startIngress(
            Map.of("REQUEST_TIMEOUT_MS", "2000", "INGRESS_REPLY_PARTITIONS", "0-2"));
    other = gateway.startIngress(Map.of("INGRESS_REPLY_PARTITIONS", "3-5"));
    gateway.awaitIngressReady(impatient);
    gateway.awaitIngressReady(other);
  }

  @AfterAll
  static void stop() throws Exception {
    GatewayFixture.closeAll(gateway, upstream);
  }

  @Test
  void aTimedOutCallsAnswerIsFetchedLaterFromAnotherIngressAndOutlivesARestart() throws Exception {
    String token = token("acme");
    HttpResponse<String> timedOut = chat(impatient, SLOW, "slow question", token);
    assertThat(timedOut.statusCode()).as(timedOut.body()).isEqualTo(504);
    String requestId = timedOut.headers().firstValue("x-request-id").orElseThrow();
    assertThat(json(timedOut).path("error").path("message").asText())
        .contains("GET /v1/requests/" + requestId);

    HttpResponse<String> running = fetch(other, requestId, token);
    assertThat(running.statusCode()).as(running.body()).isEqualTo(202);
    assertThat(json(running).path("status").asText()).isEqualTo("in_progress");
    assertThat(running.headers().firstValue("Retry-After")).hasValue("1");

    HttpResponse<String> settled = awaitSettled(other, requestId, token);
    JsonNode stored = json(settled);
    assertThat(stored.path("id").asText()).isEqualTo(requestId);
    assertThat(stored.path("object").asText()).isEqualTo("gateway.request");
    assertThat(stored.path("status").asText()).isEqualTo("completed");
    assertThat(stored.path("response").path("status_code").asInt()).isEqualTo(200);
    JsonNode completion = stored.path("response").path("body");
    assertThat(completion.path("object").asText()).isEqualTo("chat.completion");
    assertThat(completion.path("answer").asText()).isEqualTo("echo: slow question");
    assertThat(settled.body()).doesNotContain("nonce");
    // The ingress the caller first went through reads the same store.
    assertThat(json(fetch(impatient, requestId, token))).isEqualTo(stored);

    // A restarted pipeline that lost its local state restores the store from its changelog.
    gateway.pipeline().stop(25);
    deleteRecursively(Path.of(gateway.pipelineEnv().get("DATA_DIR")).resolve("pipeline-state"));
    ChildProcess restarted = gateway.startPipeline();
    gateway.replacePipeline(restarted);
    gateway.awaitPipelineReady(restarted);
    assertThat(json(awaitSettled(other, requestId, token, 503))).isEqualTo(stored);
  }

  @Test
  void aRefusalIsKeptAsTheCallerGotIt() throws Exception {
    String token = token("acme");
    HttpResponse<String> refused =
        post(
            other,
            "{\"model\":\""
                + FAST
                + "\",\"max_tokens\":100000000,\"messages\":"
                + "[{\"role\":\"user\",\"content\":\"hi\"}]}",
            token);
    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(400);
    String requestId = refused.headers().firstValue("x-request-id").orElseThrow();

    JsonNode stored = json(awaitSettled(impatient, requestId, token));

    assertThat(stored.path("status").asText()).isEqualTo("denied");
    assertThat(stored.path("response").path("status_code").asInt()).isEqualTo(400);
    assertThat(stored.path("response").path("body")).isEqualTo(json(refused));
  }

  @Test
  void anotherTenantAnUnknownIdOrNoCredentialGetNothing() throws Exception {
    String token = token("acme");
    HttpResponse<String> answered = chat(other, FAST, "mine", token);
    assertThat(answered.statusCode()).as(answered.body()).isEqualTo(200);
    String requestId = answered.headers().firstValue("x-request-id").orElseThrow();
    awaitSettled(other, requestId, token);

    HttpResponse<String> foreign = fetch(other, requestId, token("globex"));
    assertThat(foreign.statusCode()).as(foreign.body()).isEqualTo(404);
    assertThat(json(foreign).path("error").path("code").asText()).isEqualTo("not_found");
    assertThat(foreign.body()).doesNotContain("mine");

    HttpResponse<String> unknown = fetch(other, RequestIds.next(), token);
    assertThat(unknown.statusCode()).as(unknown.body()).isEqualTo(404);
    HttpResponse<String> malformed = fetch(other, "not%20an%20id", token);
    assertThat(malformed.statusCode()).as(malformed.body()).isEqualTo(404);

    HttpResponse<String> anonymous =
        gateway.send(
            HttpRequest.newBuilder(GatewayFixture.url(other, "/v1/requests/" + requestId))
                .GET()
                .build());
    assertThat(anonymous.statusCode()).as(anonymous.body()).isEqualTo(401);
    HttpResponse<String> forged = fetch(other, requestId, token + "x");
    assertThat(forged.statusCode()).as(forged.body()).isEqualTo(401);
  }

  // ---------------------------------------------------------------- helpers

  private static String token(String tenant) {
    return gateway.minter().mint(tenant, "alice", Duration.ofMinutes(15));
  }

  private static HttpResponse<String> chat(
      IngressMain.Running ingress, String model, String prompt, String token) throws Exception {
    return post(
        ingress,
        "{\"model\":\""
            + model
            + "\",\"messages\":[{\"role\":\"user\",\"content\":\""
            + prompt
            + "\"}]}",
        token);
  }

  private static HttpResponse<String> post(IngressMain.Running ingress, String body, String token)
      throws Exception {
    return gateway.send(
        HttpRequest.newBuilder(GatewayFixture.url(ingress, "/v1/chat/completions"))
            .timeout(Duration.ofSeconds(60))
            .header("Content-Type", "application/json")
            .header("Authorization", "Bearer " + token)
            .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
            .build());
  }

  private static HttpResponse<String> fetch(
      IngressMain.Running ingress, String requestId, String token) throws Exception {
    return gateway.send(
        HttpRequest.newBuilder(GatewayFixture.url(ingress, "/v1/requests/" + requestId))
            .timeout(Duration.ofSeconds(30))
            .header("Authorization", "Bearer " + token)
            .GET()
            .build());
  }

  /** Polls until the request is settled (200), as a caller honouring Retry-After would. */
  private static HttpResponse<String> awaitSettled(
      IngressMain.Running ingress, String requestId, String token) throws Exception {
    return awaitSettled(ingress, requestId, token, 202, 503);
  }

  /** Polls until 200, failing on any answer meanwhile but {@code waiting}. */
  private static HttpResponse<String> awaitSettled(
      IngressMain.Running ingress, String requestId, String token, Integer... waiting)
      throws Exception {
    long giveUp = System.nanoTime() + Duration.ofSeconds(45).toNanos();
    HttpResponse<String> last = null;
    while (System.nanoTime() < giveUp) {
      last = fetch(ingress, requestId, token);
      if (last.statusCode() == 200) {
        return last;
      }
      // 202 while in flight; 503 while a restarted pipeline restores.
      assertThat(last.statusCode()).as(last.body()).isIn((Object[]) waiting);
      Thread.sleep(250);
    }
    throw new AssertionError("not settled within 45 s: " + (last == null ? "" : last.body()));
  }

  private static JsonNode json(HttpResponse<String> response) throws Exception {
    return Json.mapper().readTree(response.body());
  }

  private static void deleteRecursively(Path root) throws Exception {
    if (!Files.exists(root)) {
      return;
    }
    try (var paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }
}

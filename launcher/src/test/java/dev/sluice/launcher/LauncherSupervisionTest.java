package dev.sluice.launcher;

import static dev.sluice.launcher.GatewayFixture.chatBody;
import static dev.sluice.launcher.GatewayFixture.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.config.OwnerOnly;
import java.net.InetAddress;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway as {@code scripts/run} runs it: the launcher starts the pipeline and the ingress in
 * dev mode and supervises them. A pipeline killed with calls in flight is restarted, and every
 * waiting caller still gets its own answer; stopping the launcher answers callers still waiting 503
 * in the OpenAI error shape. Dev mode listens on loopback only and keeps its data owner-only.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LauncherSupervisionTest {
  private static final int CALLERS = 50;
  private static final long STUB_DELAY_MS = 6_000;
  private static final long REQUEST_TIMEOUT_MS = 60_000;

  @TempDir static Path dir;

  private static GatewayFixture gateway;

  @BeforeAll
  static void start() throws Exception {
    gateway =
        GatewayFixture.startUnderLauncher(
            dir,
            Map.of(
                "STUB_DELAY_MS", Long.toString(STUB_DELAY_MS),
                "REQUEST_TIMEOUT_MS", Long.toString(REQUEST_TIMEOUT_MS),
                "PIPELINE_INSTANCE_ID", "pipeline-launcher-test-1"));
  }

  @AfterAll
  static void stop() {
    if (gateway != null) {
      gateway.close();
    }
  }

  @Test
  @Order(1)
  void devModeListensOnLoopbackOnlyAndKeepsItsDataOwnerOnly() throws Exception {
    assumeTrue(ListeningSockets.available(), "no /proc/net/tcp to read listening sockets from");
    int healthPort = Integer.parseInt(gateway.pipelineEnv().get("PIPELINE_HEALTH_PORT"));
    for (int port : new int[] {gateway.ingressPort(), healthPort}) {
      Set<InetAddress> listening = ListeningSockets.on(port);
      assertThat(listening).as("addresses listening on %d", port).isNotEmpty();
      assertThat(listening)
          .as("addresses listening on %d", port)
          .allMatch(InetAddress::isLoopbackAddress);
    }

    assumeTrue(OwnerOnly.posix(dir), "the file system has no POSIX permissions");
    Path data = Path.of(gateway.pipelineEnv().get("DATA_DIR"));
    assertThat(permissions(data)).isEqualTo("rwx------");
    // Kafka Streams sets its own state directory to rwxr-x---; the data directory keeps others out.
    assertThat(permissions(data.resolve("pipeline-state"))).endsWith("---");
    Path kafka = dir.resolve("kafka");
    assertThat(permissions(kafka)).isEqualTo("rwx------");
    assertThat(permissions(kafka.resolve("log"))).isEqualTo("rwx------");
    assertThat(permissions(kafka.resolve("cluster-id"))).isEqualTo("rw-------");
  }

  @Test
  @Order(2)
  void aPipelineKilledWithCallsInFlightIsRestartedAndEveryCallerGetsItsAnswer() throws Exception {
    String token = gateway.minter().mint("acme", "launcher-test", Duration.ofMinutes(15));
    List<String> messages = new ArrayList<>();
    List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
    for (int i = 0; i < CALLERS; i++) {
      String message = String.format("supervised caller %02d of %d", i, CALLERS);
      messages.add(message);
      answers.add(send(token, message));
    }
    // Every call is open in the pipeline and its request's offset committed: only the restarted
    // pipeline, restoring its in-flight store, can answer them now.
    gateway.awaitPendingOnChangelog(messages, Duration.ofSeconds(60));
    gateway.awaitRequestsCommitted(Duration.ofSeconds(30));
    assertThat(answers).noneMatch(CompletableFuture::isDone);

    long killedPid = gateway.pipeline().pid();
    ProcessHandle.of(killedPid).orElseThrow().destroyForcibly();

    CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new))
        .get(REQUEST_TIMEOUT_MS + 30_000, TimeUnit.MILLISECONDS);
    Set<String> requestIds = new HashSet<>();
    for (int i = 0; i < CALLERS; i++) {
      HttpResponse<String> response = answers.get(i).get();
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      JsonNode body = json(response.body());
      assertThat(body.at("/choices/0/message/content").asText())
          .isEqualTo("echo: " + messages.get(i));
      requestIds.add(body.at("/meta/request_id").asText());
    }
    assertThat(requestIds).hasSize(CALLERS);
    assertThat(gateway.pipeline().pid()).isNotEqualTo(killedPid);
    assertThat(gateway.pipeline().isAlive()).isTrue();
    assertThat(gateway.launcherGaveUp()).isNotDone();
    assertThat(gateway.launcherLog())
        .contains("sluice: the pipeline stopped (exit 137 (killed by signal 9)); restarting it")
        .contains("sluice: the pipeline is starting again (pid " + gateway.pipeline().pid() + ")");
  }

  @Test
  @Order(3)
  void stoppingTheLauncherAnswersEveryWaitingCaller503() throws Exception {
    String token = gateway.minter().mint("acme", "launcher-stop", Duration.ofMinutes(15));
    List<String> messages = new ArrayList<>();
    List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      String message = String.format("caller %02d waiting at shutdown", i);
      messages.add(message);
      answers.add(send(token, message));
    }
    gateway.awaitPendingOnChangelog(messages, Duration.ofSeconds(60));
    assertThat(answers).noneMatch(CompletableFuture::isDone);

    // What the launcher's shutdown hook does on Ctrl-C or SIGTERM.
    gateway.launcher().close();

    for (CompletableFuture<HttpResponse<String>> answer : answers) {
      HttpResponse<String> response = answer.get(60, TimeUnit.SECONDS);
      assertThat(response.statusCode()).as(response.body()).isEqualTo(503);
      assertThat(response.headers().firstValue("Content-Type"))
          .hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
      JsonNode error = json(response.body()).path("error");
      assertThat(error.path("code").asText()).isEqualTo("gateway_unavailable");
      assertThat(error.path("type").asText()).isNotBlank();
      assertThat(error.path("message").asText()).contains("shutting down");
      assertThat(error.path("request_id").asText())
          .isEqualTo(response.headers().firstValue("x-request-id").orElseThrow());
    }
    assertThat(gateway.launcherGaveUp()).isNotDone();
    assertThat(gateway.launcherLog()).doesNotContain("the ingress stopped");
  }

  private static CompletableFuture<HttpResponse<String>> send(String token, String message) {
    return gateway
        .http()
        .sendAsync(
            gateway
                .request("/v1/chat/completions")
                .timeout(Duration.ofMillis(REQUEST_TIMEOUT_MS + 30_000))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString(chatBody(message)))
                .build(),
            HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  private static String permissions(Path path) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
  }
}

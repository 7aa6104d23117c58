package dev.sluice.launcher;

import static dev.sluice.launcher.GatewayFixture.chatBody;
import static dev.sluice.launcher.GatewayFixture.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.tools.standins.FakeProviderServer;
import dev.sluice.tools.standins.StandInStats;
import dev.sluice.topics.Topics;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
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
 * {@link PipelineCrashTest} at scale and through a real HTTP provider: 500 callers are waiting on
 * 500 open calls to an OpenAI-compatible upstream (the stand-in) when the pipeline is killed. The
 * restarted pipeline re-issues every call from the restored in-flight store, and every caller gets
 * exactly one answer, its own. Half the calls are answered just before the kill, so the restarted
 * pipeline repeats some replies; a repeat carries the first reply's request id.
 *
 * <p>The stand-in holds the first calls until the test releases them, so "all 500 are open" is a
 * state the test waits for rather than a race it hopes to win; the re-issued calls are answered
 * after a couple of seconds, like a real model.
 */
class PipelineCrashAtScaleTest {
  private static final int CALLERS = 500;
  private static final int ANSWERED_BEFORE_CRASH = 250;
  private static final String MODEL = "openai:gpt-4o-mini";
  private static final String KEY = "crash-at-scale-stand-in-key";
  private static final Duration ANSWER_DELAY = Duration.ofSeconds(2);
  private static final long REQUEST_TIMEOUT_MS = 90_000;

  @TempDir static Path dir;

  private static FakeProviderServer upstream;
  private static GatewayFixture gateway;

  @BeforeAll
  static void start() throws Exception {
    // Held "forever" until the test changes the delay after the kill.
    upstream = FakeProviderServer.start(Duration.ofMinutes(10), KEY);
    gateway =
        GatewayFixture.start(
            dir,
            GatewayFixture.openAiStandIn(
                upstream.baseUrl(),
                KEY,
                GatewayFixture.policyBundle(dir.resolve("policies"), MODEL),
                List.of(MODEL),
                Map.of(
                    "REQUEST_TIMEOUT_MS",
                    Long.toString(REQUEST_TIMEOUT_MS),
                    // One attempt may last as long as the caller waits: no retry while calls are
                    // held.
                    "PROVIDER_TIMEOUT_MS",
                    Long.toString(REQUEST_TIMEOUT_MS),
                    "PIPELINE_INSTANCE_ID",
                    "pipeline-crash-at-scale-1")),
            true);
  }

  @AfterAll
  static void stop() throws Exception {
    GatewayFixture.closeAll(gateway, upstream);
  }

  @Test
  void fiveHundredCallersAreEachAnsweredOnceAfterThePipelineIsKilledMidCall() throws Exception {
    // One client, one connection pool. HTTP/1.1 carries one request per connection, and the JDK
    // client opens as many connections as there are requests; a long connect timeout because 500
    // connects at once can overflow the listen backlog and wait for a SYN retry.
    HttpClient callers =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(30))
            .build();
    String token = gateway.minter().mint("acme", "crash-at-scale", Duration.ofMinutes(15));
    List<String> messages = new ArrayList<>();
    List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
    for (int i = 0; i < CALLERS; i++) {
      String message = String.format("scale caller %03d of %d", i, CALLERS);
      messages.add(message);
      answers.add(
          callers.sendAsync(
              gateway
                  .request("/v1/chat/completions")
                  .timeout(Duration.ofMillis(REQUEST_TIMEOUT_MS + 30_000))
                  .header("Content-Type", "application/json")
                  .header("Authorization", "Bearer " + token)
                  .POST(HttpRequest.BodyPublishers.ofString(chatBody(MODEL, message)))
                  .build(),
              HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8)));
    }

    // All 500 calls are open upstream at once, each is a live entry of the in-flight store's
    // changelog, and the requests' offsets are committed: only the store can bring them back.
    awaitOpenUpstream(CALLERS, Duration.ofSeconds(60));
    gateway.awaitPendingOnChangelog(messages, Duration.ofSeconds(60));
    gateway.awaitRequestsCommitted(Duration.ofSeconds(30));
    assertThat(answers).noneMatch(CompletableFuture::isDone);

    // Half the calls are answered just before the crash: their callers have their answers, but
    // their entries stay in the store for CallBudget.keepAnsweredMs, so the restarted pipeline
    // will most likely call them again and reply twice. The other half is still open.
    upstream.answerOldest(ANSWERED_BEFORE_CRASH);
    awaitAnswered(answers, ANSWERED_BEFORE_CRASH, Duration.ofSeconds(60));
    ChildProcess crashed = gateway.pipeline();
    crashed.kill();
    assertThat(crashed.isAlive()).isFalse();
    // The held calls of the dead pipeline are answered into closed connections; the re-issued
    // ones after ANSWER_DELAY.
    upstream.delay(ANSWER_DELAY);
    ChildProcess restarted = gateway.startPipeline();
    gateway.replacePipeline(restarted);

    CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new))
        .get(REQUEST_TIMEOUT_MS + 30_000, TimeUnit.MILLISECONDS);

    Map<String, String> requestIdOf = new HashMap<>();
    for (int i = 0; i < CALLERS; i++) {
      HttpResponse<String> response = answers.get(i).get();
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      JsonNode body = json(response.body());
      assertThat(body.at("/choices/0/message/content").asText())
          .isEqualTo("echo: " + messages.get(i));
      assertThat(body.path("model").asText()).isEqualTo("openai:gpt-4o-mini");
      assertThat(body.at("/meta/provider_model").asText()).isEqualTo("gpt-4o-mini");
      assertThat(body.at("/meta/provider").asText()).isEqualTo("openai");
      requestIdOf.put("echo: " + messages.get(i), body.at("/meta/request_id").asText());
    }
    assertThat(new HashSet<>(requestIdOf.values())).hasSize(CALLERS);
    assertThat(restarted.isAlive()).isTrue();

    // Every re-issued call has been answered upstream once none is open there; each one leaves a
    // reply, as did each call answered before the crash.
    awaitNoneOpenUpstream(Duration.ofSeconds(30));
    StandInStats stats = upstream.stats();
    long reissued = stats.received() - CALLERS;
    assertThat(reissued)
        .as("calls re-issued from the restored store")
        .isGreaterThanOrEqualTo(CALLERS - ANSWERED_BEFORE_CRASH);
    assertThat(stats.maxConcurrent()).isGreaterThanOrEqualTo(CALLERS);
    long expectedReplies = ANSWERED_BEFORE_CRASH + reissued;

    // Replies on the topic: a call answered twice (before the crash and again when re-issued)
    // leaves two records, but the repeat carries the request id of the first, so the ingress
    // hands each caller one answer and drops the repeat.
    List<ConsumerRecord<String, byte[]>> replies =
        gateway.readFromStart(
            Topics.REPLIES.name(), read -> read.size() >= expectedReplies, Duration.ofSeconds(30));
    Map<String, Set<String>> idsByAnswer = new HashMap<>();
    int records = 0;
    for (ConsumerRecord<String, byte[]> record : replies) {
      JsonNode reply = json(new String(record.value(), StandardCharsets.UTF_8));
      String answer = reply.at("/completion/answer").asText();
      if (!requestIdOf.containsKey(answer)) {
        continue;
      }
      records++;
      assertThat(reply.path("status").asInt()).isEqualTo(200);
      assertThat(record.key()).isEqualTo(reply.at("/completion/meta/request_id").asText());
      idsByAnswer.computeIfAbsent(answer, ignored -> new HashSet<>()).add(record.key());
    }
    assertThat(records).isEqualTo(expectedReplies);
    assertThat(idsByAnswer).hasSize(CALLERS);
    idsByAnswer.forEach(
        (answer, ids) -> assertThat(ids).as(answer).containsExactly(requestIdOf.get(answer)));
    System.out.printf(
        "PipelineCrashAtScaleTest: %d callers answered once each (%d before the crash); %d replies"
            + " on %s (%d repeats); upstream received %d calls, at most %d open at once%n",
        CALLERS,
        ANSWERED_BEFORE_CRASH,
        records,
        Topics.REPLIES.name(),
        records - CALLERS,
        stats.received(),
        stats.maxConcurrent());
  }

  private static void awaitAnswered(
      List<CompletableFuture<HttpResponse<String>>> answers, int count, Duration timeout)
      throws InterruptedException {
    long giveUp = System.nanoTime() + timeout.toNanos();
    while (answers.stream().filter(CompletableFuture::isDone).count() < count
        && System.nanoTime() < giveUp) {
      Thread.sleep(10);
    }
    assertThat(answers.stream().filter(CompletableFuture::isDone).count())
        .as("callers answered before the crash")
        .isEqualTo(count);
  }

  private static void awaitNoneOpenUpstream(Duration timeout) throws InterruptedException {
    long giveUp = System.nanoTime() + timeout.toNanos();
    while (upstream.stats().inProgress() > 0 && System.nanoTime() < giveUp) {
      Thread.sleep(50);
    }
    assertThat(upstream.stats().inProgress()).as("calls open upstream").isZero();
  }

  private static void awaitOpenUpstream(int calls, Duration timeout) throws InterruptedException {
    long giveUp = System.nanoTime() + timeout.toNanos();
    while (upstream.stats().inProgress() < calls && System.nanoTime() < giveUp) {
      Thread.sleep(50);
    }
    assertThat(upstream.stats().inProgress()).as("calls open upstream").isEqualTo(calls);
  }
}

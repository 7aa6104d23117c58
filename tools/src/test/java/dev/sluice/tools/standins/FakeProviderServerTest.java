package dev.sluice.tools.standins;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The stand-in over real HTTP: each provider's wire format, its key check, and slow calls. */
class FakeProviderServerTest {
  private static final String KEY = "stand-in-test-key";
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(30))
          .build();
  private FakeProviderServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void answersOpenAiChatCompletionsOnBothPaths() throws Exception {
    server = FakeProviderServer.start(Duration.ZERO, KEY);
    for (String path : List.of("/v1/chat/completions", "/chat/completions")) {
      HttpResponse<String> response =
          post(
              path,
              "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"system\",\"content\":\"be"
                  + " brief\"},{\"role\":\"user\",\"content\":\"first\"},{\"role\":\"assistant\","
                  + "\"content\":\"ok\"},{\"role\":\"user\",\"content\":\"hello there\"}]}",
              "Authorization",
              "Bearer " + KEY);

      assertThat(response.statusCode()).as(path).isEqualTo(200);
      assertThat(response.headers().firstValue("x-request-id")).isPresent();
      JsonNode body = MAPPER.readTree(response.body());
      assertThat(body.path("object").asText()).isEqualTo("chat.completion");
      assertThat(body.path("id").asText()).startsWith("chatcmpl-");
      assertThat(body.path("model").asText()).isEqualTo("gpt-4o-mini");
      JsonNode choice = body.path("choices").get(0);
      assertThat(choice.path("message").path("role").asText()).isEqualTo("assistant");
      assertThat(choice.path("message").path("content").asText()).isEqualTo("echo: hello there");
      assertThat(choice.path("finish_reason").asText()).isEqualTo("stop");
      assertThat(body.at("/usage/prompt_tokens").asInt()).isEqualTo(2);
      assertThat(body.at("/usage/completion_tokens").asInt()).isEqualTo(3);
      assertThat(body.at("/usage/total_tokens").asInt()).isEqualTo(5);
    }
  }

  @Test
  void readsTheTextPartsOfAContentArray() throws Exception {
    server = FakeProviderServer.start(Duration.ZERO, KEY);
    HttpResponse<String> response =
        post(
            "/v1/chat/completions",
            "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\","
                + "\"text\":\"part one, \"},{\"type\":\"image_url\",\"image_url\":{\"url\":\"x\"}},"
                + "{\"type\":\"text\",\"text\":\"part two\"}]}]}",
            "Authorization",
            "Bearer " + KEY);

    assertThat(MAPPER.readTree(response.body()).at("/choices/0/message/content").asText())
        .isEqualTo("echo: part one, part two");
  }

  @Test
  void answersAzureOpenAiOnTheDeploymentRoute() throws Exception {
    server = FakeProviderServer.start(Duration.ZERO, KEY);
    String body = "{\"messages\":[{\"role\":\"user\",\"content\":\"hi azure\"}]}";

    HttpResponse<String> response =
        post(
            "/openai/deployments/my-gpt4o/chat/completions?api-version=2024-10-21",
            body,
            "api-key",
            KEY);
    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode answer = MAPPER.readTree(response.body());
    assertThat(answer.path("model").asText()).isEqualTo("my-gpt4o");
    assertThat(answer.at("/choices/0/message/content").asText()).isEqualTo("echo: hi azure");

    HttpResponse<String> noVersion =
        post("/openai/deployments/my-gpt4o/chat/completions", body, "api-key", KEY);
    assertThat(noVersion.statusCode()).isEqualTo(404);
    assertThat(MAPPER.readTree(noVersion.body()).at("/error/code").asText()).isEqualTo("404");

    HttpResponse<String> bearer =
        post(
            "/openai/deployments/my-gpt4o/chat/completions?api-version=2024-10-21",
            body,
            "Authorization",
            "Bearer " + KEY);
    assertThat(bearer.statusCode()).isEqualTo(401);
    assertThat(MAPPER.readTree(bearer.body()).at("/error/code").asText()).isEqualTo("401");
  }

  @Test
  void answersAnthropicMessages() throws Exception {
    server = FakeProviderServer.start(Duration.ZERO, KEY);
    String body =
        "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":64,\"system\":\"be brief\","
            + "\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"hi"
            + " claude\"}]}]}";

    HttpResponse<String> response =
        post("/v1/messages", body, "x-api-key", KEY, "anthropic-version", "2023-06-01");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("request-id")).isPresent();
    JsonNode answer = MAPPER.readTree(response.body());
    assertThat(answer.path("type").asText()).isEqualTo("message");
    assertThat(answer.path("role").asText()).isEqualTo("assistant");
    assertThat(answer.path("id").asText()).startsWith("msg_");
    assertThat(answer.path("model").asText()).isEqualTo("claude-sonnet-4-5");
    assertThat(answer.at("/content/0/type").asText()).isEqualTo("text");
    assertThat(answer.at("/content/0/text").asText()).isEqualTo("echo: hi claude");
    assertThat(answer.path("stop_reason").asText()).isEqualTo("end_turn");
    assertThat(answer.at("/usage/input_tokens").asInt()).isEqualTo(2);
    assertThat(answer.at("/usage/output_tokens").asInt()).isEqualTo(3);

    HttpResponse<String> noVersion = post("/v1/messages", body, "x-api-key", KEY);
    assertThat(noVersion.statusCode()).isEqualTo(400);
    assertThat(MAPPER.readTree(noVersion.body()).at("/error/type").asText())
        .isEqualTo("invalid_request_error");

    HttpResponse<String> noMaxTokens =
        post(
            "/v1/messages",
            "{\"model\":\"claude-sonnet-4-5\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}",
            "x-api-key",
            KEY,
            "anthropic-version",
            "2023-06-01");
    assertThat(noMaxTokens.statusCode()).isEqualTo(400);
  }

  @Test
  void aWrongOrMissingKeyGets401InEachProvidersShape() throws Exception {
    server = FakeProviderServer.start(Duration.ZERO, KEY);
    String chat =
        "{\"model\":\"m\",\"max_tokens\":8,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";

    HttpResponse<String> openAi =
        post("/v1/chat/completions", chat, "Authorization", "Bearer wrong-key");
    assertThat(openAi.statusCode()).isEqualTo(401);
    assertThat(MAPPER.readTree(openAi.body()).at("/error/code").asText())
        .isEqualTo("invalid_api_key");
    assertThat(openAi.body()).doesNotContain("wrong-key");

    HttpResponse<String> missing = post("/v1/chat/completions", chat);
    assertThat(missing.statusCode()).isEqualTo(401);

    HttpResponse<String> azure =
        post(
            "/openai/deployments/d/chat/completions?api-version=2024-10-21",
            chat,
            "api-key",
            "wrong-key");
    assertThat(azure.statusCode()).isEqualTo(401);
    assertThat(MAPPER.readTree(azure.body()).at("/error/code").asText()).isEqualTo("401");

    HttpResponse<String> anthropic =
        post("/v1/messages", chat, "x-api-key", "wrong-key", "anthropic-version", "2023-06-01");
    assertThat(anthropic.statusCode()).isEqualTo(401);
    JsonNode error = MAPPER.readTree(anthropic.body());
    assertThat(error.path("type").asText()).isEqualTo("error");
    assertThat(error.at("/error/type").asText()).isEqualTo("authentication_error");

    JsonNode stats = MAPPER.readTree(get("/stand-in/stats").body());
    assertThat(stats.path("received").asLong()).isEqualTo(4);
    assertThat(stats.path("unauthorized").asLong()).isEqualTo(4);
    assertThat(stats.path("answered").asLong()).isZero();
  }

  @Test
  void refusesBodiesThatAreNotChatRequests() throws Exception {
    server = FakeProviderServer.start(Duration.ZERO, KEY);
    assertThat(post("/v1/chat/completions", "{not json", "Authorization", "Bearer " + KEY))
        .extracting(HttpResponse::statusCode)
        .isEqualTo(400);
    assertThat(
            post(
                "/v1/chat/completions",
                "{\"model\":\"m\",\"messages\":[{\"role\":\"system\",\"content\":\"x\"}]}",
                "Authorization",
                "Bearer " + KEY))
        .extracting(HttpResponse::statusCode)
        .isEqualTo(400);
    assertThat(
            post(
                "/v1/chat/completions",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"no model\"}]}",
                "Authorization",
                "Bearer " + KEY))
        .extracting(HttpResponse::statusCode)
        .isEqualTo(400);
  }

  /**
   * A thousand calls held at once on {@value FakeProviderServer#HTTP_THREADS} HTTP threads: only
   * possible if no call holds a thread while it waits. The calls are held until all have arrived,
   * then released, so the count does not depend on how fast this machine connects.
   */
  @Test
  void holdsAThousandSlowCallsAtOnceOnAFewThreads() throws Exception {
    int callers = 1_000;
    server = FakeProviderServer.start(Duration.ofMinutes(10), KEY);
    List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
    for (int i = 0; i < callers; i++) {
      answers.add(
          http.sendAsync(
              request("/v1/chat/completions")
                  .header("Authorization", "Bearer " + KEY)
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"caller "
                              + i
                              + "\"}]}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8)));
    }

    long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (server.stats().inProgress() < callers && System.nanoTime() < giveUp) {
      Thread.sleep(50);
    }
    StandInStats holding = server.stats();
    assertThat(holding.inProgress()).isEqualTo(callers);
    assertThat(answers).noneMatch(CompletableFuture::isDone);
    JsonNode stats = MAPPER.readTree(get("/stand-in/stats").body());
    assertThat(stats.path("in_progress").asInt()).isEqualTo(callers);
    assertThat(stats.path("delay_ms").asLong()).isEqualTo(Duration.ofMinutes(10).toMillis());
    long httpThreads =
        Thread.getAllStackTraces().keySet().stream()
            .filter(thread -> thread.getName().startsWith("stand-in-http"))
            .count();
    assertThat(httpThreads).isLessThanOrEqualTo(FakeProviderServer.HTTP_THREADS);

    server.delay(Duration.ZERO);
    CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    for (int i = 0; i < callers; i++) {
      HttpResponse<String> response = answers.get(i).get();
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(MAPPER.readTree(response.body()).at("/choices/0/message/content").asText())
          .isEqualTo("echo: caller " + i);
    }
    StandInStats done = server.stats();
    assertThat(done.maxConcurrent()).isEqualTo(callers);
    assertThat(done.answered()).isEqualTo(callers);
    assertThat(done.inProgress()).isZero();
  }

  @Test
  void answersTheOldestHeldCallsOnRequest() throws Exception {
    server = FakeProviderServer.start(Duration.ofMinutes(10), KEY);
    List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      answers.add(
          http.sendAsync(
              request("/v1/chat/completions")
                  .header("Authorization", "Bearer " + KEY)
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8)));
    }
    long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (server.stats().inProgress() < 3 && System.nanoTime() < giveUp) {
      Thread.sleep(20);
    }

    server.answerOldest(2);
    while (server.stats().answered() < 2 && System.nanoTime() < giveUp) {
      Thread.sleep(20);
    }

    assertThat(server.stats().answered()).isEqualTo(2);
    assertThat(server.stats().inProgress()).isEqualTo(1);
    server.delay(Duration.ZERO);
    CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    assertThat(server.stats().answered()).isEqualTo(3);
  }

  @Test
  void aShortDelayStillAnswers() throws Exception {
    server = FakeProviderServer.start(Duration.ofMillis(200), KEY);
    HttpResponse<String> response =
        post(
            "/v1/chat/completions",
            "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"later\"}]}",
            "Authorization",
            "Bearer " + KEY);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(server.stats().maxConcurrent()).isEqualTo(1);
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create(server.baseUrl() + path))
        .timeout(Duration.ofSeconds(120))
        .header("Content-Type", "application/json");
  }

  private HttpResponse<String> post(String path, String body, String... headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder request = request(path);
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return http.send(
        request.POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  private HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return http.send(
        request(path).GET().build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }
}

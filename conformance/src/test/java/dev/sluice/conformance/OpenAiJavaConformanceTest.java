package dev.sluice.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.errors.BadRequestException;
import com.openai.errors.InternalServerException;
import com.openai.errors.NotFoundException;
import com.openai.errors.OpenAIServiceException;
import com.openai.errors.RateLimitException;
import com.openai.models.ReasoningEffort;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessage;
import com.openai.models.chat.completions.ChatCompletionPredictionContent;
import com.openai.models.chat.completions.ChatCompletionTokenLogprob;
import com.openai.models.chat.completions.StructuredChatCompletion;
import com.openai.models.models.Model;
import dev.sluice.launcher.GatewayFixture;
import dev.sluice.tools.standins.FakeProviderServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway as the official Java SDK ({@code com.openai:openai-java}) sees it: a whole gateway (a
 * real broker, the pipeline in its own JVM, the ingress over real HTTP) in front of the stand-in
 * OpenAI upstream ({@link FakeProviderServer}, never a real provider), which records what it
 * receives and answers JSON modes, log probabilities, a refusal and errors by model name. Each test
 * uses the SDK as an application would against OpenAI, with bare model names and default retries.
 */
class OpenAiJavaConformanceTest {
  private static final String KEY = "conformance-stand-in-key";
  private static final List<String> MODELS =
      List.of(
          "openai:gpt-4o-mini",
          "openai:refuse",
          "openai:error-400",
          "openai:error-401",
          "openai:error-404",
          "openai:error-429",
          "openai:error-500",
          "openai:slow-1500");

  @TempDir static Path dir;

  private static FakeProviderServer upstream;
  private static GatewayFixture gateway;
  private static OpenAIClient client;

  @BeforeAll
  static void start() throws Exception {
    upstream = FakeProviderServer.start(Duration.ZERO, KEY);
    Path policies =
        GatewayFixture.policyBundle(dir.resolve("policies"), MODELS.toArray(String[]::new));
    gateway =
        GatewayFixture.start(
            dir,
            GatewayFixture.openAiStandIn(
                upstream.baseUrl(),
                KEY,
                policies,
                MODELS,
                // The default retries, stated: the upstream call counts below depend on them.
                Map.of(
                    "PROVIDER_MAX_RETRIES", "2", "PIPELINE_INSTANCE_ID", "pipeline-conformance-1")),
            true);
    client =
        OpenAIOkHttpClient.builder()
            .baseUrl(gateway.url("/v1").toString())
            .apiKey(gateway.minter().mint("acme", "alice", Duration.ofMinutes(30)))
            .timeout(Duration.ofSeconds(30))
            .build();
  }

  @AfterAll
  static void stop() throws Exception {
    if (client != null) {
      client.close();
    }
    GatewayFixture.closeAll(gateway, upstream);
  }

  private static ChatCompletionCreateParams.Builder chat(String model, String text) {
    return ChatCompletionCreateParams.builder().model(model).addUserMessage(text);
  }

  private static JsonNode sent() {
    return upstream.lastRequestBody().orElseThrow();
  }

  @Test
  void everyOptionArrivesUpstreamAsTheSdkSentIt() {
    ChatCompletion completion =
        client
            .chat()
            .completions()
            .create(
                chat("gpt-4o-mini", "hello")
                    .seed(42)
                    .temperature(0.2)
                    .maxCompletionTokens(64)
                    .frequencyPenalty(0.5)
                    .presencePenalty(-0.5)
                    .logitBias(
                        ChatCompletionCreateParams.LogitBias.builder()
                            .putAdditionalProperty("50256", JsonValue.from(-100))
                            .build())
                    .store(true)
                    .metadata(
                        ChatCompletionCreateParams.Metadata.builder()
                            .putAdditionalProperty("team", JsonValue.from("search"))
                            .build())
                    .reasoningEffort(ReasoningEffort.LOW)
                    .serviceTier(ChatCompletionCreateParams.ServiceTier.DEFAULT)
                    .prediction(
                        ChatCompletionPredictionContent.builder().content("echo: hello").build())
                    .safetyIdentifier("user-hash-1")
                    .promptCacheKey("conformance")
                    .build());

    assertThat(completion.choices().get(0).message().content()).hasValue("echo: hello");
    JsonNode body = sent();
    assertThat(body.path("model").textValue()).isEqualTo("gpt-4o-mini");
    assertThat(body.path("seed").asLong()).isEqualTo(42);
    assertThat(body.path("temperature").asDouble()).isEqualTo(0.2);
    // Kept under its own name: reasoning models refuse max_tokens.
    assertThat(body.path("max_completion_tokens").asInt()).isEqualTo(64);
    assertThat(body.has("max_tokens")).isFalse();
    assertThat(body.path("frequency_penalty").asDouble()).isEqualTo(0.5);
    assertThat(body.path("presence_penalty").asDouble()).isEqualTo(-0.5);
    assertThat(body.path("logit_bias").path("50256").asInt()).isEqualTo(-100);
    assertThat(body.path("store").asBoolean()).isTrue();
    assertThat(body.path("metadata").path("team").textValue()).isEqualTo("search");
    assertThat(body.path("reasoning_effort").textValue()).isEqualTo("low");
    assertThat(body.path("service_tier").textValue()).isEqualTo("default");
    assertThat(body.path("prediction").path("content").textValue()).isEqualTo("echo: hello");
    assertThat(body.path("safety_identifier").textValue()).isEqualTo("user-hash-1");
    assertThat(body.path("prompt_cache_key").textValue()).isEqualTo("conformance");
    // The gateway's own fields never leave it.
    assertThat(body.has("context")).isFalse();
    assertThat(body.has("req")).isFalse();
  }

  /** A structured output as the SDK derives it from a class. */
  public static class City {
    public String name;
    public long population;
  }

  @Test
  void structuredOutputsParseThroughTheSdk() {
    StructuredChatCompletion<City> completion =
        client
            .chat()
            .completions()
            .create(chat("gpt-4o-mini", "the largest city").responseFormat(City.class).build());

    City city = completion.choices().get(0).message().content().orElseThrow();
    assertThat(city.name).isEqualTo("echo: the largest city");
    assertThat(city.population).isEqualTo(1);
    JsonNode format = sent().path("response_format");
    assertThat(format.path("type").textValue()).isEqualTo("json_schema");
    assertThat(format.path("json_schema").path("strict").asBoolean()).isTrue();
    assertThat(format.path("json_schema").path("schema").path("properties").has("population"))
        .isTrue();
  }

  @Test
  void jsonModeAnswersStayJsonAfterRedaction() throws Exception {
    ChatCompletion completion =
        client
            .chat()
            .completions()
            .create(
                chat("gpt-4o-mini", "mail jane.doe@example.com")
                    .responseFormat(com.openai.models.ResponseFormatJsonObject.builder().build())
                    .build());

    String content = completion.choices().get(0).message().content().orElseThrow();
    JsonNode answer = new com.fasterxml.jackson.databind.ObjectMapper().readTree(content);
    assertThat(answer.path("echo").textValue()).isEqualTo("mail [REDACTED:EMAIL]");
  }

  @Test
  void logprobsAndTheFingerprintComeBackWithRedactedTokensMasked() {
    ChatCompletion completion =
        client
            .chat()
            .completions()
            .create(
                chat("gpt-4o-mini", "write to jane.doe@example.com today")
                    .logprobs(true)
                    .topLogprobs(2)
                    .build());

    assertThat(completion.systemFingerprint()).hasValue("fp_standin");
    assertThat(completion.model()).isEqualTo("gpt-4o-mini");
    ChatCompletion.Choice choice = completion.choices().get(0);
    assertThat(choice.message().content()).hasValue("echo: write to [REDACTED:EMAIL] today");
    List<ChatCompletionTokenLogprob> tokens =
        choice.logprobs().orElseThrow().content().orElseThrow();
    assertThat(tokens)
        .extracting(ChatCompletionTokenLogprob::token)
        .containsExactly("echo:", " write", " to", "[REDACTED:EMAIL]", " today");
    ChatCompletionTokenLogprob masked = tokens.get(3);
    assertThat(masked.topLogprobs()).isEmpty();
    assertThat(masked.bytes()).isEmpty();
    assertThat(tokens.get(1).topLogprobs()).hasSize(2);
  }

  @Test
  void aRefusalIsTheSdksRefusal() {
    ChatCompletionMessage message =
        client
            .chat()
            .completions()
            .create(chat("refuse", "something").build())
            .choices()
            .get(0)
            .message();
    assertThat(message.refusal()).hasValue("I'm sorry, I can't help with that.");
    assertThat(message.content()).isEmpty();
  }

  @Test
  void anUnknownFieldIsRefusedNamingIt() {
    long before = upstream.stats().received();
    assertThatThrownBy(
            () ->
                client
                    .chat()
                    .completions()
                    .create(
                        chat("gpt-4o-mini", "hi")
                            .putAdditionalBodyProperty("top_k", JsonValue.from(5))
                            .build()))
        .isInstanceOfSatisfying(
            BadRequestException.class,
            e -> {
              assertThat(e.code()).hasValue("unsupported_parameter");
              assertThat(e.param()).hasValue("top_k");
            });
    assertThat(upstream.stats().received()).isEqualTo(before);
  }

  @Test
  void providerRefusalsAreTheSdksExceptionsAfterOneUpstreamCall() {
    long before = upstream.stats().received();
    assertThatThrownBy(() -> client.chat().completions().create(chat("error-404", "hi").build()))
        .isInstanceOfSatisfying(
            NotFoundException.class, e -> assertThat(e.code()).hasValue("model_not_found"));
    assertThat(upstream.stats().received() - before).isEqualTo(1);

    before = upstream.stats().received();
    assertThatThrownBy(() -> client.chat().completions().create(chat("error-400", "hi").build()))
        .isInstanceOfSatisfying(
            BadRequestException.class,
            e -> {
              assertThat(e.code()).hasValue("invalid_value");
              assertThat(e.param()).hasValue("temperature");
              // The provider's own words, after the redactor, tell the caller what to fix.
              assertThat(e.getMessage()).contains("Invalid value for 'temperature'");
            });
    assertThat(upstream.stats().received() - before).isEqualTo(1);
  }

  @Test
  void providerFailuresAreNotRetriedAgainByTheSdk() {
    // The gateway's key refused upstream: the caller's fault it is not, and retrying will not help.
    long before = upstream.stats().received();
    assertThatThrownBy(() -> client.chat().completions().create(chat("error-401", "hi").build()))
        .isInstanceOfSatisfying(
            InternalServerException.class,
            e -> {
              assertThat(e.statusCode()).isEqualTo(502);
              assertThat(e.code()).hasValue("provider_auth_error");
            });
    assertThat(upstream.stats().received() - before).isEqualTo(1);

    // A 500 is retried by the gateway (1 + PROVIDER_MAX_RETRIES calls), then never by the SDK,
    // which would otherwise send the request twice more, each retried three times again.
    before = upstream.stats().received();
    assertThatThrownBy(() -> client.chat().completions().create(chat("error-500", "hi").build()))
        .isInstanceOfSatisfying(
            OpenAIServiceException.class, e -> assertThat(e.statusCode()).isEqualTo(502));
    assertThat(upstream.stats().received() - before).isEqualTo(3);
  }

  @Test
  void aProvidersRateLimitComesBackWithItsOwnFiguresAndIsNotRetriedAgain() {
    // Default retries: the gateway's retries of the provider, then none more by the SDK.
    long before = upstream.stats().received();
    assertThatThrownBy(() -> client.chat().completions().create(chat("error-429", "hi").build()))
        .isInstanceOfSatisfying(
            RateLimitException.class,
            e -> {
              assertThat(e.headers().values("x-upstream-ratelimit-limit-requests"))
                  .containsExactly("500");
              assertThat(e.headers().values("x-upstream-ratelimit-reset-requests"))
                  .containsExactly("120ms");
            });
    assertThat(upstream.stats().received() - before).isEqualTo(3);
  }

  @Test
  void bareModelNamesResolveAndModelsCanBeRetrieved() {
    Model model = client.models().retrieve("gpt-4o-mini");
    assertThat(model.id()).isEqualTo("gpt-4o-mini");
    assertThatThrownBy(() -> client.models().retrieve("gpt-9-nonexistent"))
        .isInstanceOf(NotFoundException.class);
  }

  private static ChatCompletion withKey(OpenAIClient sdk, String key, String text) {
    return sdk.chat()
        .completions()
        .create(chat("gpt-4o-mini", text).putAdditionalHeader("Idempotency-Key", key).build());
  }

  @Test
  void anIdempotencyKeyMakesARepeatTheFirstCallsAnswer() {
    String key = "conformance-" + System.nanoTime();
    long before = upstream.stats().received();
    ChatCompletion first = withKey(client, key, "once only");
    ChatCompletion repeat = withKey(client, key, "once only");
    assertThat(repeat.id()).isEqualTo(first.id());
    assertThat(repeat.choices().get(0).message().content()).hasValue("echo: once only");
    assertThat(upstream.stats().received() - before).isEqualTo(1);

    assertThatThrownBy(() -> withKey(client, key, "another body"))
        .isInstanceOfSatisfying(
            com.openai.errors.UnprocessableEntityException.class,
            e -> assertThat(e.code()).hasValue("idempotency_key_reused"));
    assertThat(upstream.stats().received() - before).isEqualTo(1);
  }

  @Test
  void theSdksRetryAfterATimeoutIsAnsweredByTheFirstCallNotASecondOne() {
    // The first attempt times out while the provider (1.5 s) still works on it; the SDK sends the
    // same request with the same key again, and that repeat waits for the first call's answer.
    OpenAIClient impatient =
        client.withOptions(options -> options.timeout(Duration.ofSeconds(1)).maxRetries(3));
    long before = upstream.stats().received();
    ChatCompletion completion =
        impatient
            .chat()
            .completions()
            .create(
                chat("slow-1500", "take your time")
                    .putAdditionalHeader("Idempotency-Key", "retry-" + System.nanoTime())
                    .build());
    assertThat(completion.choices().get(0).message().content()).hasValue("echo: take your time");
    assertThat(upstream.stats().received() - before).isEqualTo(1);
  }
}

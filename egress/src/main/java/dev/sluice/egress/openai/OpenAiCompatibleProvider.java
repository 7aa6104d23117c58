package dev.sluice.egress.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.egress.Provider;
import dev.sluice.egress.ProviderAnswer;
import dev.sluice.egress.ProviderCall;
import dev.sluice.egress.ProviderException;
import dev.sluice.egress.ProviderException.Kind;
import dev.sluice.schemas.Json;
import dev.sluice.schemas.chat.ChatMessage;
import dev.sluice.schemas.chat.ChatRequest;
import dev.sluice.schemas.reply.Usage;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OpenAI chat completions ({@code POST {baseUrl}/chat/completions}), for OpenAI itself and any
 * compatible server. Calls are asynchronous on the executor it is given; retries wait on the
 * scheduler it is given, never on a sleeping thread. Redirects are never followed, so a base URL
 * cannot be bounced to another host.
 */
public final class OpenAiCompatibleProvider implements Provider {
  private static final Logger LOGGER = LoggerFactory.getLogger(OpenAiCompatibleProvider.class);
  static final long DEFAULT_BASE_BACKOFF_MS = 200;
  static final long MAX_BACKOFF_MS = 5_000;
  private static final Pattern SAFE_TOKEN = Pattern.compile("[a-z_]{1,40}");

  private final OpenAiSettings settings;
  private final URI endpoint;
  private final HttpClient http;
  private final ScheduledExecutorService scheduler;
  private final long baseBackoffMs;
  private final ObjectMapper mapper = Json.mapper();

  public OpenAiCompatibleProvider(
      OpenAiSettings settings, Executor executor, ScheduledExecutorService scheduler) {
    this(settings, executor, scheduler, DEFAULT_BASE_BACKOFF_MS);
  }

  /** Tests shorten the backoff. */
  OpenAiCompatibleProvider(
      OpenAiSettings settings,
      Executor executor,
      ScheduledExecutorService scheduler,
      long baseBackoffMs) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.baseBackoffMs = baseBackoffMs;
    String base = settings.baseUrl().toString();
    this.endpoint =
        URI.create(
            (base.endsWith("/") ? base.substring(0, base.length() - 1) : base)
                + "/chat/completions");
    this.http =
        HttpClient.newBuilder()
            .executor(Objects.requireNonNull(executor, "executor"))
            .connectTimeout(settings.timeout())
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  @Override
  public String name() {
    return settings.name();
  }

  @Override
  public CompletionStage<ProviderAnswer> complete(ProviderCall call) {
    CompletableFuture<ProviderAnswer> result = new CompletableFuture<>();
    byte[] body;
    try {
      body = mapper.writeValueAsBytes(body(call));
    } catch (IOException e) {
      return CompletableFuture.failedFuture(
          new ProviderException(Kind.ERROR, "the request could not be encoded"));
    }
    attempt(call, body, 0, result);
    return result;
  }

  private Map<String, Object> body(ProviderCall call) {
    ChatRequest request = call.request();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("model", call.model());
    body.put("messages", request.messages());
    putIfPresent(body, "max_tokens", request.maxTokens());
    putIfPresent(body, "temperature", request.temperature());
    putIfPresent(body, "top_p", request.topP());
    putIfPresent(body, "stop", request.stop());
    putIfPresent(body, "user", request.user());
    return body;
  }

  private static void putIfPresent(Map<String, Object> body, String field, Object value) {
    if (value != null) {
      body.put(field, value);
    }
  }

  private void attempt(
      ProviderCall call, byte[] body, int attempt, CompletableFuture<ProviderAnswer> result) {
    if (result.isDone()) {
      return; // cancelled or timed out by the caller
    }
    long remaining = remainingMs(call);
    if (remaining <= 0) {
      result.completeExceptionally(timeout());
      return;
    }
    HttpRequest request =
        HttpRequest.newBuilder(endpoint)
            .timeout(Duration.ofMillis(Math.min(settings.timeout().toMillis(), remaining)))
            .header("Authorization", "Bearer " + settings.apiKey())
            .header("Content-Type", "application/json")
            .header("Accept", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build();
    CompletableFuture<HttpResponse<String>> inFlight =
        http.sendAsync(request, HttpResponse.BodyHandlers.ofString());
    result.whenComplete(
        (answer, error) -> {
          if (result.isCancelled()) {
            inFlight.cancel(true);
          }
        });
    inFlight.whenComplete(
        (response, error) -> {
          if (result.isDone()) {
            return;
          }
          Outcome outcome;
          try {
            outcome = error != null ? failed(error) : answered(call, response);
          } catch (ProviderException e) {
            outcome = Outcome.fail(e);
          } catch (RuntimeException e) {
            outcome = Outcome.fail(new ProviderException(Kind.ERROR, "the provider call failed"));
          }
          LOGGER
              .atDebug()
              .addKeyValue("provider", settings.name())
              .addKeyValue("requestId", call.requestId())
              .addKeyValue("attempt", attempt)
              .addKeyValue("status", response == null ? -1 : response.statusCode())
              .log("provider attempt finished");
          if (outcome.answer != null) {
            result.complete(outcome.answer);
          } else if (outcome.retryable && attempt < settings.maxRetries()) {
            retryLater(call, body, attempt, outcome, result);
          } else {
            result.completeExceptionally(outcome.failure);
          }
        });
  }

  private void retryLater(
      ProviderCall call,
      byte[] body,
      int attempt,
      Outcome outcome,
      CompletableFuture<ProviderAnswer> result) {
    long delayMs;
    if (outcome.failure.retryAfterSeconds() != null) {
      delayMs = outcome.failure.retryAfterSeconds() * 1000L;
    } else {
      long ceiling = Math.min(MAX_BACKOFF_MS, baseBackoffMs << Math.min(attempt, 20));
      // Jitter in [ceiling/2, ceiling] so synchronised callers spread out.
      delayMs = ceiling / 2 + ThreadLocalRandom.current().nextLong(ceiling / 2 + 1);
    }
    if (delayMs >= remainingMs(call)) {
      // The next attempt would start after the deadline: report what we have now.
      result.completeExceptionally(outcome.failure);
      return;
    }
    scheduler.schedule(
        () -> attempt(call, body, attempt + 1, result), delayMs, TimeUnit.MILLISECONDS);
  }

  private long remainingMs(ProviderCall call) {
    // A call without a deadline (<= 0) is bounded only by the per-attempt timeout and retries.
    return call.deadlineMs() <= 0 ? Long.MAX_VALUE : call.deadlineMs() - System.currentTimeMillis();
  }

  private ProviderException timeout() {
    return new ProviderException(Kind.TIMEOUT, "the provider did not answer in time");
  }

  private Outcome failed(Throwable error) {
    Throwable cause =
        error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    if (cause instanceof HttpTimeoutException) {
      return Outcome.fail(timeout());
    }
    if (cause instanceof IOException) {
      return Outcome.retry(new ProviderException(Kind.ERROR, "the provider could not be reached"));
    }
    return Outcome.fail(new ProviderException(Kind.ERROR, "the provider call failed"));
  }

  private Outcome answered(ProviderCall call, HttpResponse<String> response) {
    int status = response.statusCode();
    if (status == 429) {
      Integer retryAfter = retryAfterSeconds(response);
      return Outcome.retry(
          new ProviderException(Kind.RATE_LIMITED, "the provider is rate limiting", retryAfter));
    }
    if (status >= 500) {
      return Outcome.retry(
          new ProviderException(
              Kind.ERROR, "the provider failed (" + status + errorToken(response) + ")"));
    }
    if (status >= 300 && status < 400) {
      return Outcome.fail(
          new ProviderException(
              Kind.ERROR, "the provider redirected the request (" + status + "); not followed"));
    }
    if (status >= 400 || status < 200) {
      return Outcome.fail(
          new ProviderException(
              Kind.ERROR,
              "the provider refused the request (" + status + errorToken(response) + ")"));
    }
    return Outcome.ok(parse(call, response.body()));
  }

  private ProviderAnswer parse(ProviderCall call, String body) {
    JsonNode root;
    try {
      root = mapper.readTree(body);
    } catch (IOException e) {
      throw malformed();
    }
    if (root == null) {
      throw malformed();
    }
    JsonNode choice = root.path("choices").path(0);
    JsonNode content = choice.path("message").path("content");
    if (!choice.isObject()
        || !(content.isTextual() || content.isNull() || content.isMissingNode())) {
      throw malformed();
    }
    String text = content.isTextual() ? content.textValue() : "";
    String finish =
        choice.path("finish_reason").isTextual() ? choice.get("finish_reason").textValue() : "stop";
    String model = root.path("model").isTextual() ? root.get("model").textValue() : call.model();
    JsonNode usage = root.path("usage");
    Usage tokens =
        Usage.of(usage.path("prompt_tokens").asInt(0), usage.path("completion_tokens").asInt(0));
    return new ProviderAnswer(
        settings.name(), model, ChatMessage.of("assistant", text), finish, tokens);
  }

  private static ProviderException malformed() {
    return new ProviderException(Kind.ERROR, "the provider's answer was not valid");
  }

  /** {@code ", <type>"} when the error body names a safe token; the message itself is dropped. */
  private String errorToken(HttpResponse<String> response) {
    try {
      JsonNode error = mapper.readTree(response.body()).path("error");
      for (String field : new String[] {"code", "type"}) {
        JsonNode token = error.path(field);
        if (token.isTextual() && SAFE_TOKEN.matcher(token.textValue()).matches()) {
          return ", " + token.textValue();
        }
      }
    } catch (IOException | RuntimeException e) {
      // An unreadable error body adds nothing.
    }
    return "";
  }

  static Integer retryAfterSeconds(HttpResponse<?> response) {
    return response
        .headers()
        .firstValue("Retry-After")
        .map(OpenAiCompatibleProvider::parseRetryAfter)
        .orElse(null);
  }

  static Integer parseRetryAfter(String value) {
    String trimmed = value.trim();
    try {
      long seconds = Long.parseLong(trimmed);
      return seconds < 0 ? null : (int) Math.min(seconds, 86_400);
    } catch (NumberFormatException notSeconds) {
      try {
        ZonedDateTime at = ZonedDateTime.parse(trimmed, DateTimeFormatter.RFC_1123_DATE_TIME);
        long seconds = Duration.between(ZonedDateTime.now(at.getZone()), at).toSeconds();
        return (int) Math.max(0, Math.min(seconds, 86_400));
      } catch (DateTimeParseException notDate) {
        return null;
      }
    }
  }

  @Override
  public String toString() {
    return "OpenAiCompatibleProvider[" + settings + "]";
  }

  /** One attempt's result: an answer, or a failure that may be retried. */
  private static final class Outcome {
    final ProviderAnswer answer;
    final ProviderException failure;
    final boolean retryable;

    private Outcome(ProviderAnswer answer, ProviderException failure, boolean retryable) {
      this.answer = answer;
      this.failure = failure;
      this.retryable = retryable;
    }

    static Outcome ok(ProviderAnswer answer) {
      return new Outcome(answer, null, false);
    }

    static Outcome retry(ProviderException failure) {
      return new Outcome(null, failure, true);
    }

    static Outcome fail(ProviderException failure) {
      return new Outcome(null, failure, false);
    }
  }
}

package dev.sluice.egress.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.egress.EgressAllowlist;
import dev.sluice.egress.ProviderAnswer;
import dev.sluice.egress.ProviderCall;
import dev.sluice.egress.ProviderException;
import dev.sluice.egress.ProviderException.Kind;
import dev.sluice.schemas.Json;
import dev.sluice.schemas.reply.UpstreamRateLimits;
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
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends one provider's calls: the attempt, retry and error handling every adapter shares, with the
 * wire format left to a {@link Dialect}.
 *
 * <ul>
 *   <li>Non-blocking: {@code sendAsync} on the client's executor; backoffs wait on the scheduler,
 *       never on a sleeping thread. One client per provider keeps its connections pooled.
 *   <li>Each attempt ends after {@code min(attemptTimeout, time to deadline)}, response body
 *       included; a timed-out attempt is not retried, since the provider is likely still working on
 *       it.
 *   <li>429, 5xx (Anthropic's 529 included) and connection errors are retried with jittered
 *       exponential backoff, or after the provider's {@code Retry-After} / {@code retry-after-ms};
 *       never when the wait would pass the deadline. Other 4xx are {@link Kind#REFUSED} at once.
 *   <li>Answers larger than {@link #MAX_ANSWER_BYTES} are dropped unread past the limit.
 *   <li>Redirects are never followed: a base URL cannot be bounced to another host.
 *   <li>Every attempt checks its URI against the egress allowlist before sending.
 *   <li>Cancelling or completing the returned stage from outside abandons the attempt in flight.
 *   <li>Failure messages carry the status and at most one token from the error body, never the
 *       provider's message, which may quote the prompt or the key.
 * </ul>
 *
 * <p>A connection error after the request was fully sent is retried too, so a provider may receive
 * the same request twice (and bill it twice). Where the provider records a client's request id
 * (OpenAI {@code X-Client-Request-Id}, Azure {@code x-ms-client-request-id}) the dialect sends the
 * gateway's, the same on every attempt, so such duplicates can be matched; none of the supported
 * APIs deduplicates on it, and Anthropic documents no such header.
 */
public final class ResilientHttp {
  private static final Logger LOGGER = LoggerFactory.getLogger(ResilientHttp.class);

  /** The largest answer read; chat completions are far smaller, a runaway upstream is not. */
  public static final int MAX_ANSWER_BYTES = 16 * 1024 * 1024;

  /** Without a deadline, a longer Retry-After ends the call instead of parking it. */
  static final long MAX_WAIT_WITHOUT_DEADLINE_MS = 60_000;

  /** Letters and underscores, or a bare status code: what error codes look like, not prose. */
  private static final Pattern SAFE_TOKEN = Pattern.compile("[A-Za-z][A-Za-z_]{0,47}|[0-9]{3}");

  // A request field as OpenAI names one in error.param: messages[0].content, tools[2].function.
  private static final Pattern SAFE_PARAM = Pattern.compile("[A-Za-z_][A-Za-z0-9_.\\[\\]]{0,127}");

  private final String provider;
  private final AtomicBoolean keyRefusalLogged = new AtomicBoolean();
  private final HttpClient http;
  private final ScheduledExecutorService scheduler;
  private final RetryPolicy policy;
  private final EgressAllowlist allowlist;
  private final Dialect dialect;
  private final int maxAnswerBytes;

  /**
   * @param provider the provider's name, for logs
   * @param http the provider's own client, built by {@link #client}
   * @param scheduler runs backoffs and attempt timeouts
   */
  public ResilientHttp(
      String provider,
      HttpClient http,
      ScheduledExecutorService scheduler,
      RetryPolicy policy,
      EgressAllowlist allowlist,
      Dialect dialect) {
    this(provider, http, scheduler, policy, allowlist, dialect, MAX_ANSWER_BYTES);
  }

  /** Tests lower the answer limit. */
  ResilientHttp(
      String provider,
      HttpClient http,
      ScheduledExecutorService scheduler,
      RetryPolicy policy,
      EgressAllowlist allowlist,
      Dialect dialect,
      int maxAnswerBytes) {
    this.maxAnswerBytes = maxAnswerBytes;
    this.provider = Objects.requireNonNull(provider, "provider");
    this.http = Objects.requireNonNull(http, "http");
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.policy = Objects.requireNonNull(policy, "policy");
    this.allowlist = Objects.requireNonNull(allowlist, "allowlist");
    this.dialect = Objects.requireNonNull(dialect, "dialect");
  }

  /** A client for one provider: its executor, the connect timeout, redirects never followed. */
  public static HttpClient client(Executor executor, Duration connectTimeout) {
    return HttpClient.newBuilder()
        .executor(Objects.requireNonNull(executor, "executor"))
        .connectTimeout(connectTimeout)
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
  }

  /** Starts the call; every failure completes the stage with a {@link ProviderException}. */
  public CompletableFuture<ProviderAnswer> send(ProviderCall call) {
    OutboundRequest request;
    try {
      request = dialect.request(call);
    } catch (ProviderException e) {
      return CompletableFuture.failedFuture(e);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(
          new ProviderException(Kind.ERROR, "the request could not be encoded"));
    }
    CompletableFuture<ProviderAnswer> result = new CompletableFuture<>();
    attempt(call, request, 0, result);
    return result;
  }

  private void attempt(
      ProviderCall call,
      OutboundRequest request,
      int attempt,
      CompletableFuture<ProviderAnswer> result) {
    if (result.isDone()) {
      return; // cancelled or timed out by the caller
    }
    long remaining = remainingMs(call);
    if (remaining <= 0) {
      result.completeExceptionally(timeout());
      return;
    }
    URI uri = request.uri();
    if (!allowlist.allows(uri)) {
      result.completeExceptionally(
          new ProviderException(Kind.REFUSED, "egress to " + uri.getHost() + " is not allowed"));
      return;
    }
    long attemptMs = Math.min(policy.attemptTimeout().toMillis(), remaining);
    CompletableFuture<HttpResponse<String>> inFlight;
    try {
      HttpRequest.Builder builder =
          HttpRequest.newBuilder(uri)
              .timeout(Duration.ofMillis(attemptMs))
              .POST(HttpRequest.BodyPublishers.ofByteArray(request.body()));
      request.headers().forEach(builder::header);
      inFlight = http.sendAsync(builder.build(), BoundedBody.upTo(maxAnswerBytes));
    } catch (RuntimeException e) {
      // Such as a header value the client refuses; its message may quote the value (the key).
      result.completeExceptionally(new ProviderException(Kind.ERROR, "the provider call failed"));
      return;
    }
    // The request timeout covers the response head only; this bounds the body too.
    ScheduledFuture<?> guard =
        scheduler.schedule(() -> inFlight.cancel(true), attemptMs, TimeUnit.MILLISECONDS);
    result.whenComplete((answer, error) -> inFlight.cancel(true));
    inFlight.whenComplete(
        (response, error) -> {
          guard.cancel(false);
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
              .addKeyValue("provider", provider)
              .addKeyValue("requestId", call.requestId())
              .addKeyValue("attempt", attempt)
              .addKeyValue("status", response == null ? -1 : response.statusCode())
              .log("provider attempt finished");
          if (outcome.answer() != null) {
            result.complete(outcome.answer());
          } else if (outcome.retryable() && attempt < policy.maxRetries()) {
            retryLater(call, request, attempt, outcome, result);
          } else {
            result.completeExceptionally(outcome.failure());
          }
        });
  }

  private void retryLater(
      ProviderCall call,
      OutboundRequest request,
      int attempt,
      Outcome outcome,
      CompletableFuture<ProviderAnswer> result) {
    long delayMs = outcome.waitMs() != null ? outcome.waitMs() : backoffMs(attempt);
    boolean noDeadline = call.deadlineMs() <= 0;
    if (delayMs >= remainingMs(call) || noDeadline && delayMs > MAX_WAIT_WITHOUT_DEADLINE_MS) {
      // The next attempt would start after the deadline: report what we have now.
      result.completeExceptionally(outcome.failure());
      return;
    }
    ScheduledFuture<?> next =
        scheduler.schedule(
            () -> attempt(call, request, attempt + 1, result), delayMs, TimeUnit.MILLISECONDS);
    result.whenComplete((answer, error) -> next.cancel(false));
  }

  private long backoffMs(int attempt) {
    long ceiling =
        Math.min(
            RetryPolicy.MAX_BACKOFF.toMillis(),
            policy.baseBackoff().toMillis() << Math.min(attempt, 20));
    // Jitter in [ceiling/2, ceiling] so synchronised callers spread out.
    return ceiling / 2 + ThreadLocalRandom.current().nextLong(ceiling / 2 + 1);
  }

  private static long remainingMs(ProviderCall call) {
    // A call without a deadline (<= 0) is bounded only by the attempt timeout and retries.
    return call.deadlineMs() <= 0 ? Long.MAX_VALUE : call.deadlineMs() - System.currentTimeMillis();
  }

  private static ProviderException timeout() {
    return new ProviderException(Kind.TIMEOUT, "the provider did not answer in time");
  }

  private static Outcome failed(Throwable error) {
    Throwable cause =
        error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    for (Throwable link = cause; link != null; link = link.getCause()) {
      if (link instanceof BoundedBody.TooLarge) {
        return Outcome.fail(
            new ProviderException(Kind.ERROR, "the provider's answer was too large"));
      }
    }
    if (cause instanceof HttpTimeoutException || cause instanceof CancellationException) {
      // Cancelled while the call is still open: only the attempt guard does that.
      return Outcome.fail(timeout());
    }
    if (cause instanceof IOException) {
      return Outcome.retry(
          new ProviderException(Kind.ERROR, "the provider could not be reached"), null);
    }
    return Outcome.fail(new ProviderException(Kind.ERROR, "the provider call failed"));
  }

  private Outcome answered(ProviderCall call, HttpResponse<String> response) {
    int status = response.statusCode();
    if (status >= 200 && status < 300) {
      return Outcome.ok(dialect.answer(call, response.body()));
    }
    Long waitMs = retryAfterMs(response);
    if (status == 429) {
      Integer seconds = waitMs == null ? null : (int) ((waitMs + 999) / 1000);
      return Outcome.retry(
          new ProviderException(
              "the provider is rate limiting",
              seconds,
              UpstreamRateLimits.of(response.headers()::firstValue)),
          waitMs);
    }
    if (status >= 500) {
      return Outcome.retry(
          new ProviderException(
              Kind.ERROR, "the provider failed (" + status + errorToken(response) + ")"),
          waitMs);
    }
    if (status >= 300 && status < 400) {
      return Outcome.fail(
          new ProviderException(
              Kind.ERROR, "the provider redirected the request (" + status + "); not followed"));
    }
    if (status >= 400) {
      return Outcome.fail(refused(status, response));
    }
    return Outcome.fail(
        new ProviderException(Kind.ERROR, "the provider answered status " + status));
  }

  /**
   * A 4xx refusal with the provider's error code and param when they are safe tokens. A 401 or 403
   * means the gateway's own key was refused, which no caller can fix: logged loudly, once.
   */
  private ProviderException refused(int status, HttpResponse<String> response) {
    JsonNode root = errorBody(response);
    String code = safeCode(root);
    String param = null;
    String message = null;
    if (root != null) {
      JsonNode named = root.path("error").path("param");
      if (named.isTextual() && SAFE_PARAM.matcher(named.textValue()).matches()) {
        param = named.textValue();
      }
      // OpenAI's, Azure's and Anthropic's error bodies all keep it at error.message.
      JsonNode said = root.path("error").path("message");
      message = said.isTextual() ? said.textValue() : null;
    }
    if ((status == 401 || status == 403) && !keyRefusalLogged.getAndSet(true)) {
      LOGGER
          .atError()
          .addKeyValue("provider", provider)
          .addKeyValue("status", status)
          .addKeyValue("code", code)
          .log(
              "the provider refused the gateway's API key; every call to it fails until the key"
                  + " is fixed (logged once)");
    }
    return new ProviderException(
        "the provider refused the request ("
            + provider
            + ", "
            + status
            + (code == null ? "" : ", " + code)
            + ")",
        new ProviderException.Upstream(provider, status, code, param, message));
  }

  /** {@code ", <token>"} when the error body names a safe token; the message itself is dropped. */
  private String errorToken(HttpResponse<String> response) {
    String code = safeCode(errorBody(response));
    return code == null ? "" : ", " + code;
  }

  /** The error body as JSON, or null when it is none (an HTML page from a proxy, say). */
  private static JsonNode errorBody(HttpResponse<String> response) {
    try {
      return Json.mapper().readTree(response.body());
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** The dialect's first error token that looks like a code and not like prose, or null. */
  private String safeCode(JsonNode errorBody) {
    if (errorBody == null) {
      return null;
    }
    for (String token : dialect.errorTokens(errorBody)) {
      if (token != null && SAFE_TOKEN.matcher(token).matches()) {
        return token;
      }
    }
    return null;
  }

  /** The wait a 429 or 5xx asks for: {@code retry-after-ms} (OpenAI, Azure), else Retry-After. */
  static Long retryAfterMs(HttpResponse<?> response) {
    Optional<String> millis = response.headers().firstValue("retry-after-ms");
    if (millis.isPresent()) {
      try {
        double value = Double.parseDouble(millis.get().trim());
        if (value >= 0 && value <= 86_400_000) {
          return (long) Math.ceil(value);
        }
      } catch (NumberFormatException e) {
        // Fall back to Retry-After.
      }
    }
    return response
        .headers()
        .firstValue("retry-after")
        .map(ResilientHttp::parseRetryAfter)
        .map(seconds -> seconds * 1000L)
        .orElse(null);
  }

  /** Retry-After as delta-seconds or an HTTP date, capped at a day; null when unreadable. */
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
    return "ResilientHttp[provider=" + provider + ", " + policy + ", " + allowlist + "]";
  }

  /** One attempt's result: an answer, or a failure that may be retried after {@code waitMs}. */
  private record Outcome(
      ProviderAnswer answer, ProviderException failure, boolean retryable, Long waitMs) {
    static Outcome ok(ProviderAnswer answer) {
      return new Outcome(answer, null, false, null);
    }

    static Outcome retry(ProviderException failure, Long waitMs) {
      return new Outcome(null, failure, true, waitMs);
    }

    static Outcome fail(ProviderException failure) {
      return new Outcome(null, failure, false, null);
    }
  }
}

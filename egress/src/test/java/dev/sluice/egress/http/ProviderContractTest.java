package dev.sluice.egress.http;

import static dev.sluice.egress.http.FakeUpstream.json;
import static dev.sluice.egress.http.FakeUpstream.slow;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import dev.sluice.config.ConfigException;
import dev.sluice.egress.EgressAllowlist;
import dev.sluice.egress.Provider;
import dev.sluice.egress.ProviderAnswer;
import dev.sluice.egress.ProviderCall;
import dev.sluice.egress.ProviderException;
import dev.sluice.egress.ProviderException.Kind;
import dev.sluice.schemas.chat.ChatMessage;
import dev.sluice.schemas.chat.ChatRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What every HTTP provider adapter must do, run against a {@link FakeUpstream} that speaks the
 * adapter's own wire format. Each adapter's test extends this with its format's bodies and adds the
 * mapping tests of its own.
 */
public abstract class ProviderContractTest {
  protected static final String REQUEST_ID = "0190d1c2-7a3b-7c4d-8e5f-0123456789ab";

  protected final ExecutorService executor = Executors.newFixedThreadPool(2);
  protected final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  protected FakeUpstream upstream;

  /** The key the adapter is configured with; it must never appear in a message. */
  protected abstract String key();

  /** The adapter, configured with {@link #key()}, reaching {@code upstream}. */
  protected abstract Provider provider(
      String upstreamRoot, RetryPolicy retries, EgressAllowlist allowlist);

  /** The model name after the provider prefix. */
  protected abstract String model();

  /** A successful answer whose text is {@code Hello!}. */
  protected abstract String okBody();

  /** The provider's real error body for {@code status}. */
  protected abstract String errorBody(int status);

  /** The one token {@link #errorBody} may contribute to the message. */
  protected abstract String errorToken(int status);

  /**
   * The header the provider records a client's request id under, or null when it documents none;
   * retries carry the same id, so a duplicate after a connection reset can be matched.
   */
  protected abstract String requestIdHeader();

  /** Statuses the provider uses for its own failures, each retried. */
  protected List<Integer> serverErrors() {
    return List.of(500, 503);
  }

  @AfterEach
  void stopUpstream() {
    if (upstream != null) {
      upstream.close();
    }
    executor.shutdownNow();
    scheduler.shutdownNow();
  }

  @Test
  void answers() {
    upstream = new FakeUpstream(json(200, okBody()));
    ProviderAnswer answer = answer(provider(2), call(0));
    assertThat(answer.message().role()).isEqualTo("assistant");
    assertThat(answer.message().text()).isEqualTo("Hello!");
    assertThat(upstream.only().method()).isEqualTo("POST");
  }

  @Test
  void clientErrorsAreRefusedOnceWithOnlyTheErrorToken() {
    for (int status : new int[] {400, 401, 404}) {
      upstream = new FakeUpstream(json(status, errorBody(status)));
      Provider provider = provider(2);
      ProviderException e = failure(provider, call(0));
      assertThat(e.kind()).isEqualTo(Kind.REFUSED);
      assertThat(e.getMessage())
          .isEqualTo(
              "the provider refused the request ("
                  + provider.name()
                  + ", "
                  + status
                  + ", "
                  + errorToken(status)
                  + ")");
      assertThat(e.upstream())
          .usingRecursiveComparison()
          .ignoringFields("message")
          .isEqualTo(
              new ProviderException.Upstream(
                  provider.name(), status, errorToken(status), errorParam(status)));
      // The provider's own message is kept apart, for the caller after the redactor; it is in
      // neither the exception's message nor the record's toString, which a log line might show.
      assertThat(e.upstream().message()).isNotBlank();
      assertThat(e.getMessage()).doesNotContain(e.upstream().message());
      assertThat(e.upstream().toString()).doesNotContain(e.upstream().message());
      assertThat(upstream.attempts()).isEqualTo(1);
      upstream.close();
    }
    upstream = null;
  }

  /** The request field the stand-in's error body for {@code status} names, or null. */
  protected String errorParam(int status) {
    return null;
  }

  @Test
  void retriesA429AfterRetryAfter() {
    upstream = new FakeUpstream(json(429, errorBody(429), "Retry-After", "0"), json(200, okBody()));
    assertThat(answer(provider(2), call(0)).message().text()).isEqualTo("Hello!");
    assertThat(upstream.attempts()).isEqualTo(2);
    FakeUpstream.Received first = upstream.received().get(0);
    FakeUpstream.Received retry = upstream.received().get(1);
    assertThat(retry.body()).isEqualTo(first.body());
    if (requestIdHeader() != null) {
      assertThat(first.header(requestIdHeader())).isEqualTo(REQUEST_ID);
      assertThat(retry.header(requestIdHeader())).isEqualTo(REQUEST_ID);
    }
  }

  @Test
  void a429ToTheEndIsRateLimitedWithRetryAfter() {
    upstream =
        new FakeUpstream(
            json(429, errorBody(429), "Retry-After", "0"),
            json(429, errorBody(429), "Retry-After", "0"),
            json(429, errorBody(429), "Retry-After", "3"));
    ProviderException e = failure(provider(2), call(0));
    assertThat(e.kind()).isEqualTo(Kind.RATE_LIMITED);
    assertThat(e.retryAfterSeconds()).isEqualTo(3);
    assertThat(upstream.attempts()).isEqualTo(3);
  }

  @Test
  void a429KeepsTheProvidersOwnRateLimitFigures() {
    upstream =
        new FakeUpstream(
            json(
                429,
                errorBody(429),
                "Retry-After",
                "3",
                "x-ratelimit-limit-requests",
                "500",
                "x-ratelimit-remaining-requests",
                "0",
                "x-ratelimit-reset-requests",
                "1m4.2s",
                "x-ratelimit-limit-tokens",
                "<script>"));
    ProviderException e = failure(provider(0), call(0));
    assertThat(e.kind()).isEqualTo(Kind.RATE_LIMITED);
    // A value that is not a figure or a duration is not passed on into the caller's headers.
    assertThat(e.upstreamRateLimits())
        .containsOnly(
            Map.entry("limit-requests", "500"),
            Map.entry("remaining-requests", "0"),
            Map.entry("reset-requests", "1m4.2s"));
  }

  @Test
  void serverErrorsAreRetried() {
    for (int status : serverErrors()) {
      upstream = new FakeUpstream(json(status, errorBody(status)), json(200, okBody()));
      assertThat(answer(provider(2), call(0)).message().text()).isEqualTo("Hello!");
      assertThat(upstream.attempts()).isEqualTo(2);
      upstream.close();
    }
    upstream = null;
  }

  @Test
  void serverErrorsToTheEndFailAfterAllAttempts() {
    for (int status : serverErrors()) {
      upstream = new FakeUpstream(json(status, errorBody(status)));
      ProviderException e = failure(provider(2), call(0));
      assertThat(e.kind()).isEqualTo(Kind.ERROR);
      assertThat(e.getMessage())
          .isEqualTo("the provider failed (" + status + ", " + errorToken(status) + ")");
      assertThat(upstream.attempts()).isEqualTo(3);
      upstream.close();
    }
    upstream = null;
  }

  @Test
  void aSlowFirstByteEndsTheAttempt() {
    upstream = new FakeUpstream(slow(1_500, json(200, okBody())));
    ProviderException e = failure(provider(2), call(0));
    assertThat(e.kind()).isEqualTo(Kind.TIMEOUT);
    assertThat(upstream.attempts()).isEqualTo(1);
  }

  @Test
  void aResetConnectionIsRetriedThenAnError() throws Exception {
    try (FakeUpstream.Resetting resetting = new FakeUpstream.Resetting()) {
      ProviderException e = failure(provider(resetting.url(""), 2, allowLocal()), call(0));
      assertThat(e.kind()).isEqualTo(Kind.ERROR);
      assertThat(e.getMessage()).isEqualTo("the provider could not be reached");
      assertThat(resetting.accepted()).isEqualTo(3);
    }
  }

  @Test
  void malformedJsonIsAnErrorNotRetried() {
    upstream = new FakeUpstream(json(200, "{\"content\": [ {\"type\": "));
    ProviderException e = failure(provider(2), call(0));
    assertThat(e.kind()).isEqualTo(Kind.ERROR);
    assertThat(e.getMessage()).isEqualTo("the provider's answer was not valid");
    assertThat(upstream.attempts()).isEqualTo(1);
  }

  @Test
  void aRedirectToAnotherHostIsNotFollowed() {
    upstream = new FakeUpstream(json(307, "", "Location", "http://attacker.example/steal"));
    ProviderException e = failure(provider(2), call(0));
    assertThat(e.kind()).isEqualTo(Kind.ERROR);
    assertThat(e.getMessage()).isEqualTo("the provider redirected the request (307); not followed");
    assertThat(upstream.attempts()).isEqualTo(1);
  }

  @Test
  void noRetryIsScheduledPastTheDeadline() {
    upstream = new FakeUpstream(json(429, errorBody(429), "Retry-After", "30"));
    ProviderException e = failure(provider(2), call(System.currentTimeMillis() + 10_000));
    assertThat(e.kind()).isEqualTo(Kind.RATE_LIMITED);
    assertThat(e.retryAfterSeconds()).isEqualTo(30);
    assertThat(upstream.attempts()).isEqualTo(1);
  }

  @Test
  void aPassedDeadlineTimesOutWithoutCalling() {
    upstream = new FakeUpstream(json(200, okBody()));
    ProviderException e = failure(provider(2), call(System.currentTimeMillis() - 1));
    assertThat(e.kind()).isEqualTo(Kind.TIMEOUT);
    assertThat(upstream.attempts()).isZero();
  }

  @Test
  void aHostOutsideTheAllowlistStopsStartUp() {
    upstream = new FakeUpstream(json(200, okBody()));
    assertThatThrownBy(
            () ->
                provider(
                    upstream.url(""),
                    2,
                    EgressAllowlist.of(List.of("api.example.com", "*.example.net"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(EgressAllowlist.VARIABLE)
        .hasMessageContaining("127.0.0.1")
        .hasMessageNotContaining(key());
  }

  @Test
  void toStringHidesTheKey() {
    upstream = new FakeUpstream(json(200, okBody()));
    assertThat(provider(2).toString()).doesNotContain(key());
  }

  // --- helpers for subclasses

  protected Provider provider(int maxRetries) {
    return provider(upstream.url(""), maxRetries, allowLocal());
  }

  protected Provider provider(String root, int maxRetries, EgressAllowlist allowlist) {
    return provider(
        root,
        new RetryPolicy(Duration.ofMillis(500), maxRetries, Duration.ofMillis(10)),
        allowlist);
  }

  protected static EgressAllowlist allowLocal() {
    return EgressAllowlist.of(List.of("127.0.0.1"));
  }

  protected ProviderCall call(long deadlineMs) {
    return call(
        new ChatRequest(
            model(), List.of(ChatMessage.of("user", "hi")), null, null, null, null, null, null),
        deadlineMs);
  }

  protected ProviderCall call(ChatRequest request, long deadlineMs) {
    return new ProviderCall(REQUEST_ID, model(), request, deadlineMs);
  }

  protected ProviderAnswer answer(Provider provider, ProviderCall call) {
    try {
      return provider.complete(call).toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new AssertionError("the call failed: " + e.getCause().getMessage(), e);
    } catch (Exception e) {
      throw new AssertionError("the call did not finish", e);
    }
  }

  protected ProviderException failure(Provider provider, ProviderCall call) {
    try {
      provider.complete(call).toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(ProviderException.class);
      assertThat(e.getCause().getMessage()).doesNotContain(key());
      assertThat(e.getCause().toString()).doesNotContain(key());
      return (ProviderException) e.getCause();
    } catch (Exception e) {
      throw new AssertionError("the call did not fail in time", e);
    }
    return fail("the call succeeded");
  }
}

package dev.sluice.egress.http;

import static dev.sluice.egress.http.FakeUpstream.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.egress.EgressAllowlist;
import dev.sluice.egress.ProviderAnswer;
import dev.sluice.egress.ProviderCall;
import dev.sluice.egress.ProviderException;
import dev.sluice.egress.ProviderException.Kind;
import dev.sluice.schemas.chat.ChatMessage;
import dev.sluice.schemas.chat.ChatRequest;
import dev.sluice.schemas.reply.Usage;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The engine itself, with a plain-text dialect, against {@link FakeUpstream} stand-ins. */
class ResilientHttpTest {
  private final ExecutorService executor = Executors.newFixedThreadPool(2);
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  private FakeUpstream upstream;

  @AfterEach
  void stop() {
    if (upstream != null) {
      upstream.close();
    }
    executor.shutdownNow();
    scheduler.shutdownNow();
  }

  @Test
  void retryAfterAcceptsSecondsAndHttpDates() {
    assertThat(ResilientHttp.parseRetryAfter("7")).isEqualTo(7);
    assertThat(ResilientHttp.parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT")).isZero();
    String inAMinute =
        DateTimeFormatter.RFC_1123_DATE_TIME.format(
            ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(60));
    assertThat(ResilientHttp.parseRetryAfter(inAMinute)).isBetween(55, 60);
    assertThat(ResilientHttp.parseRetryAfter("soon")).isNull();
    assertThat(ResilientHttp.parseRetryAfter("-1")).isNull();
  }

  @Test
  void everyAttemptChecksTheAllowlist() {
    upstream = new FakeUpstream(json(200, "ok"));
    // The dialect names a host the allowlist does not hold, as a bug or a hostile model name might.
    ResilientHttp http =
        engine(URI.create("http://evil.example:1/x"), EgressAllowlist.of(List.of("127.0.0.1")));
    ProviderException e = failure(http.send(call(0)));
    assertThat(e.kind()).isEqualTo(Kind.REFUSED);
    assertThat(e.getMessage()).isEqualTo("egress to evil.example is not allowed");
    assertThat(upstream.attempts()).isZero();
  }

  @Test
  void aLocalRefusalCallsNobody() {
    upstream = new FakeUpstream(json(200, "ok"));
    Dialect refusing =
        new TextDialect(URI.create(upstream.url("/x"))) {
          @Override
          public OutboundRequest request(ProviderCall call) {
            throw new ProviderException(Kind.REFUSED, "cannot be expressed");
          }
        };
    ProviderException e = failure(engine(refusing, allowLocal()).send(call(0)));
    assertThat(e.kind()).isEqualTo(Kind.REFUSED);
    assertThat(upstream.attempts()).isZero();
  }

  @Test
  void aTricklingBodyEndsTheAttempt() {
    upstream =
        new FakeUpstream(
            exchange -> {
              exchange.sendResponseHeaders(200, 0);
              try (OutputStream out = exchange.getResponseBody()) {
                out.write("part".getBytes(StandardCharsets.UTF_8));
                out.flush();
                Thread.sleep(3_000);
                out.write(" rest".getBytes(StandardCharsets.UTF_8));
              } catch (InterruptedException | IOException e) {
                Thread.currentThread().interrupt();
              }
            });
    ProviderException e =
        failure(engine(URI.create(upstream.url("/x")), allowLocal()).send(call(0)));
    assertThat(e.kind()).isEqualTo(Kind.TIMEOUT);
    assertThat(upstream.attempts()).isEqualTo(1);
  }

  @Test
  void cancellingTheCallAbortsTheAttemptInFlight() throws Exception {
    CountDownLatch requestRead = new CountDownLatch(1);
    CountDownLatch closedByClient = new CountDownLatch(1);
    // A stand-in that reads the request and then never answers, noticing when the client hangs up.
    try (ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread server =
          new Thread(
              () -> {
                try (Socket client = socket.accept()) {
                  InputStream in = client.getInputStream();
                  byte[] buffer = new byte[8192];
                  in.read(buffer);
                  requestRead.countDown();
                  while (in.read(buffer) >= 0) {
                    // keep reading until the client closes
                  }
                  closedByClient.countDown();
                } catch (IOException e) {
                  closedByClient.countDown(); // a reset is a hang-up too
                }
              });
      server.setDaemon(true);
      server.start();
      ResilientHttp http =
          new ResilientHttp(
              "test",
              ResilientHttp.client(executor, Duration.ofSeconds(5)),
              scheduler,
              new RetryPolicy(Duration.ofSeconds(30), 0, Duration.ofMillis(10)),
              allowLocal(),
              new TextDialect(URI.create("http://127.0.0.1:" + socket.getLocalPort() + "/x")));
      CompletableFuture<ProviderAnswer> result = http.send(call(0));
      assertThat(requestRead.await(5, TimeUnit.SECONDS)).isTrue();
      result.cancel(true);
      assertThat(closedByClient.await(5, TimeUnit.SECONDS)).isTrue();
      assertThat(result).isCancelled();
    }
  }

  @Test
  void anOversizedAnswerIsAnErrorNotRetried() {
    String big = "x".repeat(5_000);
    upstream = new FakeUpstream(json(200, big));
    ProviderException declared =
        failure(engine(new TextDialect(URI.create(upstream.url("/x"))), 1_000).send(call(0)));
    assertThat(declared.kind()).isEqualTo(Kind.ERROR);
    assertThat(declared.getMessage()).isEqualTo("the provider's answer was too large");
    assertThat(upstream.attempts()).isEqualTo(1);
    upstream.close();

    // Chunked, so the size shows only while reading.
    upstream =
        new FakeUpstream(
            exchange -> {
              exchange.sendResponseHeaders(200, 0);
              try (OutputStream out = exchange.getResponseBody()) {
                for (int i = 0; i < 10; i++) {
                  out.write(big.getBytes(StandardCharsets.UTF_8));
                  out.flush();
                }
              } catch (IOException e) {
                // the client hung up, as it should
              }
            });
    ProviderException streamed =
        failure(engine(new TextDialect(URI.create(upstream.url("/x"))), 1_000).send(call(0)));
    assertThat(streamed.getMessage()).isEqualTo("the provider's answer was too large");
    assertThat(upstream.attempts()).isEqualTo(1);
  }

  @Test
  void anAnswerWithinTheLimitIsRead() throws Exception {
    upstream = new FakeUpstream(json(200, "ünïcode ✓"));
    assertThat(
            engine(new TextDialect(URI.create(upstream.url("/x"))), 1_000)
                .send(call(0))
                .get(10, TimeUnit.SECONDS)
                .message()
                .text())
        .isEqualTo("ünïcode ✓");
  }

  @Test
  void outboundRequestsHideHeaderValuesAndTheBody() {
    OutboundRequest request =
        new OutboundRequest(
            URI.create("https://api.example.com/v1"),
            Map.of("Authorization", "Bearer sk-secret"),
            "{\"messages\":\"my prompt\"}".getBytes(StandardCharsets.UTF_8));
    assertThat(request.toString())
        .contains("Authorization")
        .doesNotContain("sk-secret")
        .doesNotContain("my prompt");
  }

  // --- helpers

  private ResilientHttp engine(URI uri, EgressAllowlist allowlist) {
    return engine(new TextDialect(uri), allowlist);
  }

  /**
   * For answers that must fail on their size, not on time: a timeout generous enough for a loaded
   * two-core CI machine, where half a second was seen to run out first.
   */
  private ResilientHttp engine(Dialect dialect, int maxAnswerBytes) {
    return new ResilientHttp(
        "test",
        ResilientHttp.client(executor, Duration.ofSeconds(10)),
        scheduler,
        new RetryPolicy(Duration.ofSeconds(10), 2, Duration.ofMillis(10)),
        allowLocal(),
        dialect,
        maxAnswerBytes);
  }

  private ResilientHttp engine(Dialect dialect, EgressAllowlist allowlist) {
    return new ResilientHttp(
        "test",
        ResilientHttp.client(executor, Duration.ofMillis(500)),
        scheduler,
        new RetryPolicy(Duration.ofMillis(500), 2, Duration.ofMillis(10)),
        allowlist,
        dialect);
  }

  private static EgressAllowlist allowLocal() {
    return EgressAllowlist.of(List.of("127.0.0.1"));
  }

  private static ProviderCall call(long deadlineMs) {
    return new ProviderCall(
        "r1",
        "m",
        new ChatRequest(
            "m", List.of(ChatMessage.of("user", "hi")), null, null, null, null, null, null),
        deadlineMs);
  }

  private static ProviderException failure(CompletableFuture<ProviderAnswer> result) {
    try {
      result.get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(ProviderException.class);
      return (ProviderException) e.getCause();
    } catch (Exception e) {
      throw new AssertionError("the call did not fail in time", e);
    }
    throw new AssertionError("the call succeeded");
  }

  /** A dialect whose answer is the body as text. */
  private static class TextDialect implements Dialect {
    private final URI uri;

    TextDialect(URI uri) {
      this.uri = uri;
    }

    @Override
    public OutboundRequest request(ProviderCall call) {
      return new OutboundRequest(uri, Map.of("Content-Type", "text/plain"), new byte[] {'x'});
    }

    @Override
    public ProviderAnswer answer(ProviderCall call, String body) {
      return new ProviderAnswer(
          "test", "m", ChatMessage.of("assistant", body), "stop", Usage.of(0, 0));
    }

    @Override
    public List<String> errorTokens(JsonNode errorBody) {
      return List.of();
    }
  }
}

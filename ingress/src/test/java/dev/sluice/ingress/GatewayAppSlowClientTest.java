package dev.sluice.ingress;

import static dev.sluice.ingress.IngressUnderTest.assertCompletion;
import static dev.sluice.ingress.RawHttp.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.auth.TestTokens;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Callers that send their body slowly, or not at all, cannot hold the ingress: bodies are read
 * without a thread per caller, and a body that has not arrived by {@code REQUEST_BODY_TIMEOUT_MS}
 * gets 408 in OpenAI's error shape. Nothing of a slow request is published.
 */
class GatewayAppSlowClientTest {
  private static final String TOKEN = TestTokens.mint("acme", Instant.now());

  @Test
  void aBodyThatStopsArrivingGets408() throws IOException {
    try (IngressUnderTest ingress =
            IngressUnderTest.start(Map.of("REQUEST_BODY_TIMEOUT_MS", "300"));
        Socket socket = RawHttp.connect(ingress.port())) {
      OutputStream out = socket.getOutputStream();
      out.write(chatHeaders(1_000).getBytes(StandardCharsets.ISO_8859_1));
      out.write("{\"model\":\"stub\",".getBytes(StandardCharsets.UTF_8));
      out.flush();

      RawHttp.Response response = RawHttp.read(socket.getInputStream());

      assertError(response, 408, "request_timeout");
      ingress.assertNothingPublished();
    }
  }

  @Test
  void aBodyTrickledWithoutPauseStillHasItsDeadline() throws IOException {
    // Each byte arrives well within any idle timeout; only a deadline on the whole body ends it.
    try (IngressUnderTest ingress =
            IngressUnderTest.start(Map.of("REQUEST_BODY_TIMEOUT_MS", "300"));
        Socket socket = RawHttp.connect(ingress.port());
        Trickle trickle = new Trickle(List.of(socket), 20)) {
      socket.getOutputStream().write(chatHeaders(10_000).getBytes(StandardCharsets.ISO_8859_1));
      trickle.start();

      RawHttp.Response response = RawHttp.read(socket.getInputStream());

      assertError(response, 408, "request_timeout");
      ingress.assertNothingPublished();
    }
  }

  @Test
  void aBodyOverTheLimitThatTricklesGets413() throws IOException {
    int tooLarge = IngressUnderTest.MAX_REQUEST_BYTES + 1;
    try (IngressUnderTest ingress =
            IngressUnderTest.start(Map.of("REQUEST_BODY_TIMEOUT_MS", "300"));
        Socket socket = RawHttp.connect(ingress.port());
        Trickle trickle = new Trickle(List.of(socket), 20)) {
      socket.getOutputStream().write(chatHeaders(tooLarge).getBytes(StandardCharsets.ISO_8859_1));
      trickle.start();

      RawHttp.Response response = RawHttp.read(socket.getInputStream());

      assertError(response, 413, "request_too_large");
      ingress.assertNothingPublished();
    }
  }

  @Test
  void threeHundredTrickledBodiesDoNotStopOtherCallersBeingAnswered() throws IOException {
    // More slow callers than Jetty has worker threads (250): a thread parked per slow body would
    // leave none for anyone else. Their bodies would take hours at this rate; the deadline is
    // the longest there is, so none of them ends while the test runs.
    int slowCallers = 300;
    try (IngressUnderTest ingress =
        IngressUnderTest.start(Map.of("REQUEST_BODY_TIMEOUT_MS", "600000"))) {
      List<Socket> slow = new ArrayList<>();
      try (Trickle trickle = new Trickle(slow, 500)) {
        for (int i = 0; i < slowCallers; i++) {
          Socket socket = RawHttp.connect(ingress.port());
          slow.add(socket);
          OutputStream out = socket.getOutputStream();
          out.write(chatHeaders(1_000_000).getBytes(StandardCharsets.ISO_8859_1));
          out.write(' ');
          out.flush();
        }
        // A few bytes more on every connection, so each slow request is being read by now.
        for (int round = 0; round < 3; round++) {
          trickle.round();
        }
        trickle.start();

        for (int i = 0; i < 20; i++) {
          assertCompletion(ingress.chat(IngressUnderTest.chatBody("prompt " + i), TOKEN), "echo");
        }

        for (Socket socket : slow) {
          assertThat(socket.isClosed()).isFalse();
          assertThat(socket.getInputStream().available()).as("a slow caller was answered").isZero();
        }
        assertThat(ingress.producer().history()).hasSize(20);
      } finally {
        for (Socket socket : slow) {
          socket.close();
        }
      }
    }
  }

  private static String chatHeaders(long contentLength) {
    return "POST /v1/chat/completions HTTP/1.1\r\nHost: gateway\r\n"
        + "Authorization: Bearer "
        + TOKEN
        + "\r\nContent-Type: application/json\r\nContent-Length: "
        + contentLength
        + "\r\n\r\n";
  }

  /**
   * Writes one space to each socket every {@code periodMs}: JSON whitespace, never a body's end.
   */
  private static final class Trickle implements AutoCloseable {
    private final List<Socket> sockets;
    private final long periodMs;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

    Trickle(List<Socket> sockets, long periodMs) {
      this.sockets = sockets;
      this.periodMs = periodMs;
    }

    void start() {
      timer.scheduleWithFixedDelay(this::roundQuietly, periodMs, periodMs, TimeUnit.MILLISECONDS);
    }

    void round() {
      for (Socket socket : sockets) {
        try {
          socket.getOutputStream().write(' ');
          socket.getOutputStream().flush();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }

    private void roundQuietly() {
      for (Socket socket : sockets) {
        try {
          socket.getOutputStream().write(' ');
          socket.getOutputStream().flush();
        } catch (IOException e) {
          // The ingress answered and closed this one; the others keep trickling.
        }
      }
    }

    @Override
    public void close() {
      timer.shutdownNow();
    }
  }
}

package dev.sluice.pipeline.ratelimit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * The real Redis the limiter's tests run against: {@code SLUICE_TEST_REDIS_URL}, else {@code
 * redis://127.0.0.1:6379} (scripts/test starts one there). Tests that find nothing there are
 * skipped, and say so.
 */
public final class TestRedis {
  static final String URL_VARIABLE = "SLUICE_TEST_REDIS_URL";

  private TestRedis() {}

  public static RedisSettings settings() {
    String url = System.getenv(URL_VARIABLE);
    return RedisSettings.parse(url == null || url.isBlank() ? "redis://127.0.0.1:6379" : url);
  }

  /** The test Redis, or the test is skipped (loudly) when nothing answers there. */
  public static RedisSettings require() {
    RedisSettings settings = settings();
    boolean answers = answers(settings.host(), settings.port());
    if (!answers) {
      System.err.println(
          "SKIPPED: no Redis answers at "
              + settings.address()
              + "; start redis-server or set "
              + URL_VARIABLE
              + " to run the Redis limiter's tests");
    }
    assumeTrue(
        answers,
        "Redis limiter tests SKIPPED: no Redis answers at "
            + settings.address()
            + " (start redis-server or set "
            + URL_VARIABLE
            + ")");
    return settings;
  }

  /** A tenant no other test (or earlier run) uses, so that tests never share a ledger. */
  public static String tenant(String test) {
    return test + "-" + UUID.randomUUID();
  }

  /** Whether anything speaking Redis answers a PING there (an auth error is an answer too). */
  static boolean answers(String host, int port) {
    try {
      String reply = command(host, port, "PING");
      return reply.startsWith("+") || reply.startsWith("-");
    } catch (IOException e) {
      return false;
    }
  }

  /** Sends one command over RESP and returns the first line of the reply. */
  static String command(String host, int port, String... words) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), 500);
      socket.setSoTimeout(2_000);
      StringBuilder request = new StringBuilder("*" + words.length + "\r\n");
      for (String word : words) {
        request
            .append('$')
            .append(word.getBytes(StandardCharsets.UTF_8).length)
            .append("\r\n")
            .append(word)
            .append("\r\n");
      }
      OutputStream out = socket.getOutputStream();
      out.write(request.toString().getBytes(StandardCharsets.UTF_8));
      out.flush();
      InputStream in = socket.getInputStream();
      StringBuilder line = new StringBuilder();
      int c;
      while ((c = in.read()) >= 0 && c != '\n') {
        if (c != '\r') {
          line.append((char) c);
        }
      }
      return line.toString();
    }
  }

  /** A local port nothing listens on (as far as anyone can know). */
  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}

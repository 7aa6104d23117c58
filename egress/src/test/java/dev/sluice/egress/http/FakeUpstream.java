package dev.sluice.egress.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in for a provider's HTTP API on 127.0.0.1, shared by the adapters' tests: it answers each
 * request with the next scripted response (the last one repeats) and records what it received. Each
 * test scripts the provider's real wire format (bodies, error shapes, headers).
 */
public final class FakeUpstream implements AutoCloseable {

  /** One scripted response. */
  public interface Script {
    void handle(HttpExchange exchange) throws IOException;
  }

  /** One request as the stand-in received it; header names lower-cased. */
  public record Received(
      String method, String path, String query, Map<String, List<String>> headers, String body) {
    public String header(String name) {
      List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
      return values == null || values.isEmpty() ? null : values.get(0);
    }
  }

  private final HttpServer http;
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private final ConcurrentLinkedQueue<Script> scripts;
  private final Script last;
  private final List<Received> received = new CopyOnWriteArrayList<>();

  public FakeUpstream(Script... responses) {
    this.scripts = new ConcurrentLinkedQueue<>(List.of(responses));
    this.last = responses[responses.length - 1];
    try {
      http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    http.setExecutor(threads);
    http.createContext(
        "/",
        exchange -> {
          Map<String, List<String>> headers = new TreeMap<>();
          exchange
              .getRequestHeaders()
              .forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), values));
          String body;
          try (InputStream in = exchange.getRequestBody()) {
            body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
          }
          received.add(
              new Received(
                  exchange.getRequestMethod(),
                  exchange.getRequestURI().getRawPath(),
                  exchange.getRequestURI().getRawQuery(),
                  headers,
                  body));
          Script next = scripts.poll();
          (next == null ? last : next).handle(exchange);
        });
    http.start();
  }

  /** {@code http://127.0.0.1:<port><path>}. */
  public String url(String path) {
    return "http://127.0.0.1:" + http.getAddress().getPort() + path;
  }

  public int attempts() {
    return received.size();
  }

  public List<Received> received() {
    return List.copyOf(received);
  }

  public Received only() {
    if (received.size() != 1) {
      throw new AssertionError("expected one request, got " + received.size());
    }
    return received.get(0);
  }

  @Override
  public void close() {
    http.stop(0);
    threads.shutdownNow();
  }

  /** A response with a JSON body and extra headers given as name, value pairs. */
  public static Script json(int status, String body, String... headers) {
    return exchange -> respond(exchange, status, body, headers);
  }

  /** Waits before answering: a slow first byte. */
  public static Script slow(long ms, Script then) {
    return exchange -> {
      try {
        Thread.sleep(ms);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      then.handle(exchange);
    };
  }

  public static void respond(HttpExchange exchange, int status, String body, String... headers)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    for (int i = 0; i + 1 < headers.length; i += 2) {
      exchange.getResponseHeaders().add(headers[i], headers[i + 1]);
    }
    exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
    exchange.close();
  }

  /**
   * A stand-in for an upstream that resets connections: it accepts, reads the request, and closes
   * with a TCP reset instead of answering.
   */
  public static final class Resetting implements AutoCloseable {
    private final ServerSocket socket;
    private final AtomicInteger accepted = new AtomicInteger();

    public Resetting() throws IOException {
      socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      Thread acceptor =
          new Thread(
              () -> {
                while (!socket.isClosed()) {
                  try (Socket client = socket.accept()) {
                    accepted.incrementAndGet();
                    client.getInputStream().read(new byte[8192]);
                    client.setSoLinger(true, 0); // RST rather than FIN
                  } catch (IOException e) {
                    return;
                  }
                }
              },
              "resetting-upstream");
      acceptor.setDaemon(true);
      acceptor.start();
    }

    public String url(String path) {
      return "http://127.0.0.1:" + socket.getLocalPort() + path;
    }

    public int accepted() {
      return accepted.get();
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}

package dev.sluice.pipeline;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import dev.sluice.config.BindAddress;
import dev.sluice.pipeline.reply.ReplyEndpoint;
import dev.sluice.pipeline.reply.ReplyLookup;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The pipeline's own health port: {@code /healthz} answers 200 while the Streams client is alive,
 * {@code /readyz} 200 only while it is RUNNING (not rebalancing or restoring), and {@code
 * /replies/{id}} serves the reply stores to callers with a credential ({@code ReplyEndpoint}). It
 * listens where {@code BIND_ADDRESS} says: loopback only in dev mode by default.
 */
final class PipelineHealth implements AutoCloseable {
  private final HttpServer server;
  private final ExecutorService executor;

  PipelineHealth(BindAddress bind, int port, Supplier<KafkaStreams.State> state)
      throws IOException {
    this(bind, port, state, () -> true, () -> null, null);
  }

  /**
   * @param dependenciesReady whether the pipeline's own dependencies let it answer (Redis holding
   *     the rate limits, when the pipeline fails closed without it)
   * @param rateLimiter where the rate limits are kept, shown by both endpoints; null to leave out
   * @param replies the reply store's endpoint ({@code ReplyEndpoint}), served under {@code
   *     /replies/}; null for none
   */
  PipelineHealth(
      BindAddress bind,
      int port,
      Supplier<KafkaStreams.State> state,
      BooleanSupplier dependenciesReady,
      Supplier<String> rateLimiter,
      HttpHandler replies)
      throws IOException {
    server = HttpServer.create(bind.socket(port), 16);
    // More threads than reply lookups may take at once (ReplyEndpoint), so probes never wait.
    executor =
        Executors.newFixedThreadPool(
            ReplyEndpoint.MAX_CONCURRENT_LOOKUPS + 4,
            task -> {
              Thread thread = new Thread(task, "pipeline-health");
              thread.setDaemon(true);
              return thread;
            });
    server.setExecutor(executor);
    if (replies != null) {
      server.createContext(ReplyLookup.PATH, replies);
    }
    server.createContext(
        "/healthz",
        exchange -> {
          KafkaStreams.State now = state.get();
          boolean alive =
              now != KafkaStreams.State.ERROR
                  && now != KafkaStreams.State.PENDING_ERROR
                  && now != KafkaStreams.State.NOT_RUNNING;
          answer(exchange, alive ? 200 : 503, now, now == KafkaStreams.State.RUNNING, rateLimiter);
        });
    server.createContext(
        "/readyz",
        exchange -> {
          KafkaStreams.State now = state.get();
          boolean ready = now == KafkaStreams.State.RUNNING && dependenciesReady.getAsBoolean();
          answer(exchange, ready ? 200 : 503, now, ready, rateLimiter);
        });
    server.start();
  }

  int port() {
    return server.getAddress().getPort();
  }

  /** Where it listens. */
  InetSocketAddress address() {
    return server.getAddress();
  }

  private static void answer(
      HttpExchange exchange,
      int status,
      KafkaStreams.State state,
      boolean ready,
      Supplier<String> rateLimiter)
      throws IOException {
    String limiter = rateLimiter.get();
    byte[] body =
        ("{\"ready\":"
                + ready
                + ",\"state\":\""
                + state
                + "\""
                + (limiter == null ? "" : ",\"rateLimiter\":\"" + limiter + "\"")
                + "}")
            .getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}

package dev.sluice.tools.standins;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Comparator;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * A stand-in for real LLM providers, for tests and benchmarks: a local HTTP server that speaks the
 * wire formats of OpenAI chat completions ({@code POST /v1/chat/completions} and {@code POST
 * /chat/completions}), Azure OpenAI ({@code POST
 * /openai/deployments/{deployment}/chat/completions?api-version=...}) and Anthropic Messages
 * ({@code POST /v1/messages}), and answers {@code echo: <last user text>} in each provider's own
 * response shape; in OpenAI's, also JSON answers, log probabilities, a refusal and error modes by
 * model name ({@link OpenAiFeatures}). It never calls a real provider and is never part of a
 * deployed gateway.
 *
 * <p>Each call is held for a configurable delay without holding a thread: the handler returns at
 * once and a single timer thread completes the held answer, so a few HTTP threads ({@value
 * #HTTP_THREADS} at most) carry thousands of slow calls at once, as real providers' slow answers
 * do. A missing or wrong key gets 401 in the provider's error shape. Counters (calls received,
 * answered, in progress, the most ever in progress, refused for the key) are served as JSON on
 * {@code GET /stand-in/stats}. The body of the last accepted call is kept ({@link
 * #lastRequestBody()}), so a test can check what the gateway sent.
 *
 * <pre>{@code
 * java -cp ... dev.sluice.tools.standins.FakeProviderServer --port 28100 --delay-ms 2000 --key stand-in-key
 * }</pre>
 */
public final class FakeProviderServer implements AutoCloseable {
  /** The HTTP worker threads; held calls use none of them. */
  static final int HTTP_THREADS = 16;

  /** Room for thousands of callers connecting at once (the JDK's default backlog is 50). */
  private static final int ACCEPT_QUEUE = 4096;

  /** Slow answers are the point: a connection waiting for one is not idle. */
  private static final Duration IDLE_TIMEOUT = Duration.ofMinutes(10);

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final byte[] key;
  private final String host;
  private final Javalin javalin;
  private final ScheduledExecutorService timer;
  private final Set<HeldCall> held = ConcurrentHashMap.newKeySet();
  private final AtomicLong ids = new AtomicLong();
  private final AtomicLong received = new AtomicLong();
  private final AtomicLong answered = new AtomicLong();
  private final AtomicLong unauthorized = new AtomicLong();
  private final AtomicInteger inProgress = new AtomicInteger();
  private final AtomicInteger maxConcurrent = new AtomicInteger();
  private final AtomicReference<JsonNode> lastBody = new AtomicReference<>();
  private volatile long delayMs;

  private FakeProviderServer(String host, int port, Duration delay, String key) {
    this.host = Objects.requireNonNull(host, "host");
    this.key = Objects.requireNonNull(key, "key").getBytes(StandardCharsets.UTF_8);
    this.delayMs = requireDelay(delay);
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "stand-in-timer");
              thread.setDaemon(true);
              return thread;
            });
    this.javalin =
        Javalin.create(
            config -> {
              config.startup.showJavalinBanner = false;
              // Held calls end when their delay does, never on a server-side async timeout.
              config.http.asyncTimeout = 0L;
              QueuedThreadPool threads = new QueuedThreadPool(HTTP_THREADS, 2);
              threads.setName("stand-in-http");
              config.jetty.threadPool = threads;
              config.jetty.addConnector(
                  (server, http) -> {
                    ServerConnector connector =
                        new ServerConnector(server, new HttpConnectionFactory(http));
                    connector.setHost(host);
                    connector.setPort(port);
                    connector.setAcceptQueueSize(ACCEPT_QUEUE);
                    connector.setIdleTimeout(IDLE_TIMEOUT.toMillis());
                    return connector;
                  });
              config.routes.post("/v1/chat/completions", ctx -> call(ctx, WireFormat.OPENAI));
              config.routes.post("/chat/completions", ctx -> call(ctx, WireFormat.OPENAI));
              config.routes.post(
                  "/openai/deployments/{deployment}/chat/completions",
                  ctx -> call(ctx, WireFormat.AZURE_OPENAI));
              config.routes.post("/v1/messages", ctx -> call(ctx, WireFormat.ANTHROPIC));
              config.routes.get("/stand-in/stats", this::serveStats);
            });
  }

  /**
   * Starts a stand-in on {@code host:port} ({@code port} 0 picks a free one).
   *
   * @param delay how long each call is held before its answer
   * @param key the only API key accepted, in whichever header the provider uses
   */
  public static FakeProviderServer start(String host, int port, Duration delay, String key) {
    FakeProviderServer server = new FakeProviderServer(host, port, delay, key);
    try {
      server.javalin.start();
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
    return server;
  }

  /** A stand-in on a free loopback port. */
  public static FakeProviderServer start(Duration delay, String key) {
    return start("127.0.0.1", 0, delay, key);
  }

  public int port() {
    return javalin.port();
  }

  /** {@code http://host:port}, without a path: add {@code /v1} for an OpenAI base URL. */
  public URI baseUrl() {
    return URI.create("http://" + host + ":" + port());
  }

  public Duration delay() {
    return Duration.ofMillis(delayMs);
  }

  /**
   * Changes how long calls are held, counted from each call's arrival. Calls already held are
   * re-timed too: {@code Duration.ZERO} answers all of them now.
   */
  public void delay(Duration delay) {
    delayMs = requireDelay(delay);
    for (HeldCall call : held) {
      call.schedule();
    }
  }

  /**
   * Answers now the {@code count} calls held longest (all of them if fewer are held); the rest keep
   * waiting for their delay.
   */
  public void answerOldest(int count) {
    held.stream()
        .sorted(Comparator.comparingLong(call -> call.receivedNs))
        .limit(count)
        .forEach(call -> call.due.complete(null));
  }

  /** The JSON body of the last call whose key was right, as it arrived; empty before any. */
  public Optional<JsonNode> lastRequestBody() {
    return Optional.ofNullable(lastBody.get()).map(JsonNode::deepCopy);
  }

  public StandInStats stats() {
    return new StandInStats(
        received.get(),
        answered.get(),
        inProgress.get(),
        maxConcurrent.get(),
        unauthorized.get(),
        delayMs);
  }

  private void call(Context ctx, WireFormat format) {
    received.incrementAndGet();
    String id = Long.toString(ids.incrementAndGet());
    ctx.header(format.requestIdHeader(), "req_standin_" + id);
    String presented = format.presentedKey(ctx);
    if (presented == null
        || !MessageDigest.isEqual(key, presented.getBytes(StandardCharsets.UTF_8))) {
      unauthorized.incrementAndGet();
      json(ctx, 401, format.unauthorized());
      return;
    }
    JsonNode body;
    try {
      body = MAPPER.readTree(ctx.bodyAsBytes());
    } catch (IOException e) {
      json(ctx, 400, format.invalid("the request body is not valid JSON"));
      return;
    }
    if (body == null || !body.isObject()) {
      json(ctx, 400, format.invalid("the request body must be a JSON object"));
      return;
    }
    lastBody.set(body);
    WireFormat.Refusal refusal = format.check(ctx, body);
    if (refusal == null && format.openAiShaped()) {
      refusal = OpenAiFeatures.errorMode(format.model(ctx, body));
    }
    if (refusal != null) {
      refusal.headers().forEach(ctx::header);
      json(ctx, refusal.status(), refusal.body());
      return;
    }
    String prompt = WireFormat.lastUserText(body);
    if (prompt == null) {
      json(ctx, 400, format.invalid("messages: at least one user message is required"));
      return;
    }
    String text = "echo: " + prompt;
    ObjectNode answer =
        format.answer(id, format.model(ctx, body), text, words(prompt), words(text));
    if (format.openAiShaped()) {
      OpenAiFeatures.shape(answer, body, format.model(ctx, body), prompt);
    }

    maxConcurrent.accumulateAndGet(inProgress.incrementAndGet(), Math::max);
    HeldCall call = new HeldCall(System.nanoTime(), OpenAiFeatures.slowMs(format.model(ctx, body)));
    held.add(call);
    call.schedule();
    ctx.future(
        () ->
            call.due.handle(
                (ignored, failure) -> {
                  try {
                    json(ctx, 200, answer);
                    answered.incrementAndGet();
                  } finally {
                    inProgress.decrementAndGet();
                  }
                  return null;
                }));
  }

  private void serveStats(Context ctx) {
    StandInStats stats = stats();
    ObjectNode body = MAPPER.createObjectNode();
    body.put("received", stats.received());
    body.put("answered", stats.answered());
    body.put("in_progress", stats.inProgress());
    body.put("max_concurrent", stats.maxConcurrent());
    body.put("unauthorized", stats.unauthorized());
    body.put("delay_ms", stats.delayMs());
    json(ctx, 200, body);
  }

  /** A rough token count: words. */
  private static int words(String text) {
    String trimmed = text.trim();
    return trimmed.isEmpty() ? 0 : trimmed.split("\\s+").length;
  }

  private static void json(Context ctx, int status, ObjectNode body) {
    try {
      ctx.status(status).contentType("application/json").result(MAPPER.writeValueAsBytes(body));
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static long requireDelay(Duration delay) {
    if (delay.isNegative()) {
      throw new IllegalArgumentException("the delay must not be negative");
    }
    return delay.toMillis();
  }

  /** Stops listening; calls still held are dropped with their connections. */
  @Override
  public void close() {
    javalin.stop();
    timer.shutdownNow();
  }

  /** A call waiting for its delay: completed by the timer thread, never by a waiting thread. */
  private final class HeldCall {
    final long receivedNs;
    // This call's own delay (a model named slow-<ms>), or -1 for the server's.
    final long ownDelayMs;
    final CompletableFuture<Void> due = new CompletableFuture<>();
    private ScheduledFuture<?> tick;

    HeldCall(long receivedNs, long ownDelayMs) {
      this.receivedNs = receivedNs;
      this.ownDelayMs = ownDelayMs;
      due.whenComplete((ignored, failure) -> held.remove(this));
    }

    /** (Re)schedules the answer at arrival + the current delay. */
    synchronized void schedule() {
      if (due.isDone()) {
        return;
      }
      if (tick != null) {
        tick.cancel(false);
      }
      long waitNs =
          receivedNs
              + TimeUnit.MILLISECONDS.toNanos(ownDelayMs >= 0 ? ownDelayMs : delayMs)
              - System.nanoTime();
      if (waitNs <= 0) {
        due.complete(null);
      } else {
        tick = timer.schedule(() -> due.complete(null), waitNs, TimeUnit.NANOSECONDS);
      }
    }
  }

  /**
   * {@code --host 127.0.0.1 --port 28100 --delay-ms 2000 --key stand-in-key}; prints one line
   * starting {@code STAND-IN READY} with the base URL once it listens, and stops on SIGTERM.
   */
  public static void main(String[] args) {
    String host = "127.0.0.1";
    int port = 28100;
    long delay = 0;
    String key = "stand-in-key";
    for (int i = 0; i < args.length; i++) {
      String value = i + 1 < args.length ? args[i + 1] : null;
      if (value == null) {
        usage("missing value for " + args[i]);
      }
      switch (args[i]) {
        case "--host" -> host = value;
        case "--port" -> port = Integer.parseInt(value);
        case "--delay-ms" -> delay = Long.parseLong(value);
        case "--key" -> key = value;
        default -> usage("unknown option " + args[i]);
      }
      i++;
    }
    FakeProviderServer server = start(host, port, Duration.ofMillis(delay), key);
    Runtime.getRuntime().addShutdownHook(new Thread(server::close, "stand-in-shutdown"));
    System.out.println(
        "STAND-IN READY "
            + server.baseUrl()
            + " (OpenAI /v1/chat/completions, Azure OpenAI /openai/deployments/{deployment}/chat"
            + "/completions, Anthropic /v1/messages; delay "
            + delay
            + " ms; stats /stand-in/stats)");
  }

  private static void usage(String problem) {
    System.err.println(
        "stand-in: "
            + problem
            + "\nusage: FakeProviderServer [--host 127.0.0.1] [--port 28100] [--delay-ms 0]"
            + " [--key stand-in-key]");
    System.exit(2);
  }
}

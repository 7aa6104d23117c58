package dev.sluice.pipeline.ratelimit;

import dev.sluice.pipeline.ratelimit.RateLimitSettings.RedisDown;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.redisson.Redisson;
import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;
import org.redisson.client.RedisNoScriptException;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.Config;
import org.redisson.config.ConstantDelay;
import org.redisson.config.EqualJitterDelay;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The limiter's ledgers in Redis, shared by every pipeline instance: reservations and settlements
 * run in a Lua script ({@code limiter.lua}) that restates {@link TenantLimiter}'s rules over every
 * key of a request atomically, with Redis's own clock, so that instances whose clocks disagree
 * still count in one timeline and no two decisions interleave. One call carries a batch of one
 * tenant's operations, decided in order as if each were a call of its own (see {@link Lane}). The
 * script is loaded once and called by its SHA-1, and loaded again when Redis answers {@code
 * NOSCRIPT} (a restart or {@code SCRIPT FLUSH}).
 *
 * <p>Keys: {@code sluice:rl:{<tenant>}:t:<part>} for a tenant's ledger and {@code
 * sluice:rl:{<tenant>}:m:<model>:<part>} for a tenant and model's, tenant and model
 * percent-encoded; the braces are a Redis Cluster hash tag, so every key of one request is in one
 * slot, as a script needs. Every key expires once nothing in it can matter (see the script), so
 * memory is bounded.
 *
 * <p>Never blocks the caller: futures complete on Redisson's threads. Redis that does not answer
 * within {@value #TIMEOUT_MS} ms (one retry: both operations are idempotent by request id, so a
 * retry of a script that did run changes nothing) fails the reservation ({@link RedisDown#DENY},
 * with {@link LimiterUnavailableException}) or admits it as {@link LimitDecision.Unchecked} ({@link
 * RedisDown#ALLOW}); a settlement is given up. Redisson reconnects by itself; one log line marks
 * each change between reachable and unreachable, and a probe every {@value #PROBE_MS} ms keeps
 * {@link #available()} current without traffic.
 */
public final class RedisLimiter implements Limiter, AutoCloseable {
  private static final Logger LOGGER = LoggerFactory.getLogger(RedisLimiter.class);

  static final int TIMEOUT_MS = 500;
  static final long PROBE_MS = 2_000;
  private static final int RETRY_ATTEMPTS = 1;
  private static final long RETRY_DELAY_MS = 250;

  static final String SCRIPT = readScript();
  static final String SHA = sha1(SCRIPT);

  private static final String[] PARTS = {"req", "tok", "day", "res", "rtok", "done"};
  private static final LimitKind[] KINDS = LimitKind.values();
  private static final int PER_LEDGER = 12;
  // Bounds one script call's time in Redis (a few milliseconds), which blocks every other client.
  static final int MAX_BATCH = 128;

  private final RedissonClient client;
  private final RScript script;
  private final String address;
  private final RedisDown onDown;
  private final long settledKeepMs;
  private final long reservationMaxAgeMs;
  private final ScheduledExecutorService probe;
  // Null until the first answer or failure; then whether Redis answered last.
  private final AtomicReference<Boolean> reachable = new AtomicReference<>();
  private volatile boolean closed;
  private final AtomicLong noScriptReloads = new AtomicLong();
  private final Map<String, Lane> lanes = new ConcurrentHashMap<>();

  RedisLimiter(
      RedissonClient client,
      String address,
      RedisDown onDown,
      long settledKeepMs,
      long reservationMaxAgeMs,
      long probeMs) {
    // The pure limiter's checks, so both backends accept the same parameters.
    new TenantLimiter(settledKeepMs, reservationMaxAgeMs);
    this.client = Objects.requireNonNull(client, "client");
    this.address = Objects.requireNonNull(address, "address");
    this.onDown = Objects.requireNonNull(onDown, "onDown");
    this.settledKeepMs = settledKeepMs;
    this.reservationMaxAgeMs = reservationMaxAgeMs;
    this.script = client.getScript(StringCodec.INSTANCE);
    this.probe =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "sluice-redis-limiter-probe");
              thread.setDaemon(true);
              return thread;
            });
    probe.scheduleWithFixedDelay(this::probe, 0, probeMs, TimeUnit.MILLISECONDS);
  }

  /**
   * A limiter on the Redis {@code settings} name. Returns at once, connected or not: Redisson
   * connects on first use and reconnects by itself, and a Redis that is down at start is treated as
   * any later outage.
   *
   * @param settledKeepMs and {@code reservationMaxAgeMs}: as for {@link TenantLimiter}
   */
  public static RedisLimiter connect(
      RedisSettings settings, RedisDown onDown, long settledKeepMs, long reservationMaxAgeMs) {
    return new RedisLimiter(
        Redisson.create(config(settings)),
        settings.address(),
        onDown,
        settledKeepMs,
        reservationMaxAgeMs,
        PROBE_MS);
  }

  static Config config(RedisSettings settings) {
    Config config = new Config();
    // Redisson.create would otherwise connect (and fail) before the limiter exists.
    config.setLazyInitialization(true);
    config.setCodec(StringCodec.INSTANCE);
    // Futures complete on the netty threads; the limiter needs no pool of its own.
    config.setThreads(2);
    config.setNettyThreads(4);
    settings.username().ifPresent(config::setUsername);
    settings.password().ifPresent(config::setPassword);
    config
        .useSingleServer()
        .setAddress(settings.address())
        .setDatabase(settings.database())
        .setClientName("sluice-limiter")
        // Short, so a Redis that is down answers (deny or allow) before the request's deadline.
        .setConnectTimeout(TIMEOUT_MS)
        .setTimeout(TIMEOUT_MS)
        .setRetryAttempts(RETRY_ATTEMPTS)
        // Also how long a call waits for a pooled connection before its retry: a burst on a cold
        // pool needs more than a round trip.
        .setRetryDelay(new ConstantDelay(Duration.ofMillis(RETRY_DELAY_MS)))
        .setReconnectionDelay(new EqualJitterDelay(Duration.ofMillis(100), Duration.ofSeconds(2)))
        .setPingConnectionInterval(5_000)
        .setConnectionMinimumIdleSize(4)
        // One command per connection at a time: the pool bounds the calls in flight to Redis.
        .setConnectionPoolSize(32)
        .setSubscriptionConnectionMinimumIdleSize(0)
        .setSubscriptionConnectionPoolSize(1);
    return config;
  }

  @Override
  public CompletableFuture<LimitDecision> reserve(
      List<LimitKey> keys, String requestId, long tokens) {
    return reserveTimed(keys, requestId, tokens)
        .handle(
            (reserved, failure) -> {
              if (failure == null) {
                return CompletableFuture.completedFuture(reserved.decision());
              }
              if (onDown == RedisDown.ALLOW) {
                return CompletableFuture.<LimitDecision>completedFuture(
                    new LimitDecision.Unchecked());
              }
              return CompletableFuture.<LimitDecision>failedFuture(
                  new LimiterUnavailableException(address, unwrap(failure)));
            })
        .thenCompose(decision -> decision);
  }

  @Override
  public void settle(List<LimitKey> keys, String requestId, long usedTokens) {
    // Given up on failure (see Limiter#settle); the failure is already logged if it is news.
    settleTimed(keys, requestId, usedTokens);
  }

  /** A reservation's decision and the Redis time it was made at, for tests to replay. */
  record Reserved(LimitDecision decision, long nowMs) {}

  /** {@link #reserve}, with the time the script used; fails when Redis does not answer. */
  CompletableFuture<Reserved> reserveTimed(List<LimitKey> keys, String requestId, long tokens) {
    Objects.requireNonNull(requestId, "requestId");
    if (tokens < 0) {
      throw new IllegalArgumentException("tokens cannot be negative: " + tokens);
    }
    return submit(new Operation(true, keys, requestId, tokens))
        .thenApply(answer -> decide(keys, answer));
  }

  /**
   * {@link #settle}, completing with the time the script used; fails when Redis does not answer.
   */
  CompletableFuture<Long> settleTimed(List<LimitKey> keys, String requestId, long usedTokens) {
    Objects.requireNonNull(requestId, "requestId");
    if (usedTokens < 0) {
      throw new IllegalArgumentException("used tokens cannot be negative: " + usedTokens);
    }
    return submit(new Operation(false, keys, requestId, usedTokens)).thenApply(Answer::nowMs);
  }

  /** A reservation or a settlement of one request under its keys, waiting for its script call. */
  private record Operation(
      boolean reserve,
      List<LimitKey> keys,
      String requestId,
      long tokens,
      CompletableFuture<Answer> answer) {
    Operation(boolean reserve, List<LimitKey> keys, String requestId, long tokens) {
      this(reserve, keys, requestId, tokens, new CompletableFuture<>());
    }
  }

  /**
   * The script's answer to one operation: Redis's time, and for a reservation the reply and where
   * its figures start in it.
   */
  private record Answer(long nowMs, List<Object> reply, int at) {}

  private CompletableFuture<Answer> submit(Operation operation) {
    String tenant = tenantOf(operation.keys());
    lanes.computeIfAbsent(tenant, name -> new Lane()).submit(operation);
    return operation.answer();
  }

  /**
   * One tenant's operations, one script call at a time: what arrives while a call is out waits and
   * goes in the next call, up to {@value #MAX_BATCH} operations. Under load one call carries many
   * requests (their windows and counts read and written once); a lone request is sent at once. All
   * of a tenant's keys are in one hash slot, and Redis runs one script at a time anyway, so calling
   * one at a time per tenant costs no parallelism Redis has; and each operation is decided in the
   * order it was submitted.
   */
  private final class Lane {
    private final ArrayDeque<Operation> waiting = new ArrayDeque<>();
    private boolean calling;

    void submit(Operation operation) {
      synchronized (this) {
        waiting.add(operation);
        if (calling) {
          return;
        }
        calling = true;
      }
      callNext();
    }

    private void callNext() {
      List<Operation> batch;
      synchronized (this) {
        if (waiting.isEmpty()) {
          calling = false;
          return;
        }
        batch = new ArrayList<>(Math.min(waiting.size(), MAX_BATCH));
        while (!waiting.isEmpty() && batch.size() < MAX_BATCH) {
          batch.add(waiting.poll());
        }
      }
      call(batch)
          .whenComplete(
              (ignored, failure) -> {
                if (failure != null) {
                  // Redis did not answer this call: what waited behind it fails at once instead
                  // of each later call waiting out its own timeout, so the queue never outgrows
                  // an outage. The next operation tries Redis again.
                  List<Operation> behind;
                  synchronized (this) {
                    behind = new ArrayList<>(waiting);
                    waiting.clear();
                  }
                  behind.forEach(operation -> operation.answer().completeExceptionally(failure));
                }
                callNext();
              });
    }
  }

  /** One script call for a batch of one tenant's operations, answering each of them. */
  private CompletableFuture<List<Object>> call(List<Operation> batch) {
    Map<String, Integer> ledgers = new LinkedHashMap<>();
    List<Object> names = new ArrayList<>();
    List<Object> args = new ArrayList<>();
    args.add(Long.toString(settledKeepMs));
    args.add(Long.toString(reservationMaxAgeMs));
    int replySize = 1;
    for (Operation operation : batch) {
      args.add(operation.reserve() ? "reserve" : "settle");
      args.add(operation.requestId());
      args.add(Long.toString(operation.tokens()));
      args.add(Integer.toString(operation.keys().size()));
      for (LimitKey key : operation.keys()) {
        // A ledger's six names are written once per call, however many operations use it.
        String base = base(key);
        Integer number = ledgers.get(base);
        if (number == null) {
          number = ledgers.size() + 1;
          ledgers.put(base, number);
          names.addAll(keysOf(base));
        }
        args.add(Integer.toString(number));
        if (operation.reserve()) {
          LimitSpec spec = key.spec();
          args.add(spec.requests() == null ? "" : Long.toString(spec.requests().requests()));
          args.add(spec.requests() == null ? "" : Long.toString(spec.requests().windowMs()));
          args.add(text(spec.tokensPerMinute()));
          args.add(text(spec.dailyTokens()));
          args.add(spec.concurrent() == null ? "" : Integer.toString(spec.concurrent()));
        }
      }
      if (operation.reserve()) {
        replySize += PER_LEDGER * operation.keys().size();
      }
    }
    int expected = replySize;
    CompletableFuture<List<Object>> reply;
    try {
      reply = run(names, args);
    } catch (RuntimeException e) {
      // Redisson shutting down refuses the call before it is made.
      reply = CompletableFuture.failedFuture(e);
    }
    return reply.whenComplete(
        (values, failure) -> {
          if (failure == null && values.size() != expected) {
            failure =
                new IllegalStateException(
                    "the limiter script answered " + values.size() + " values");
          }
          if (failure != null) {
            for (Operation operation : batch) {
              operation.answer().completeExceptionally(failure);
            }
            return;
          }
          long nowMs = number(values.get(0));
          int at = 1;
          for (Operation operation : batch) {
            operation.answer().complete(new Answer(nowMs, values, at));
            if (operation.reserve()) {
              at += PER_LEDGER * operation.keys().size();
            }
          }
        });
  }

  /**
   * Whether Redis answered the last call or probe: for the readiness check. False before the first
   * answer.
   */
  public boolean available() {
    return Boolean.TRUE.equals(reachable.get());
  }

  /** How often a call found the script missing and loaded it again: for tests. */
  long noScriptReloads() {
    return noScriptReloads.get();
  }

  /** Redis's address, without credentials. */
  public String address() {
    return address;
  }

  @Override
  public void close() {
    closed = true;
    probe.shutdownNow();
    // Redisson's default waits two quiet seconds; nothing of the limiter's needs them.
    client.shutdown(0, 2, TimeUnit.SECONDS);
  }

  @Override
  public String toString() {
    return "RedisLimiter[address=" + address + ", onRedisDown=" + onDown + "]";
  }

  /** The six keys of a ledger, in the script's order. */
  static List<String> keysOf(LimitKey key) {
    return keysOf(base(key));
  }

  /** What a ledger's six keys start with. */
  private static String base(LimitKey key) {
    return "sluice:rl:{"
        + encode(key.tenant())
        + "}:"
        + (key.scope().isEmpty() ? "t" : "s:" + encode(key.scope()));
  }

  private static List<String> keysOf(String base) {
    List<String> keys = new ArrayList<>(PARTS.length);
    for (String part : PARTS) {
      keys.add(base + ":" + part);
    }
    return keys;
  }

  /**
   * Percent-encodes all but letters, digits and {@code . _ ~ -}: a brace cannot end the hash tag
   * early, and a colon cannot make two ledgers' keys the same. An empty name becomes {@code %},
   * which no encoding produces, so that the hash tag is never empty (Redis would then hash the
   * whole key).
   */
  static String encode(String name) {
    if (name.isEmpty()) {
      return "%";
    }
    StringBuilder out = new StringBuilder(name.length());
    for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      if ((c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || c == '.'
          || c == '_'
          || c == '~'
          || c == '-') {
        out.append(c);
      } else {
        out.append('%').append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xf, 16)));
        out.append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
      }
    }
    return out.toString();
  }

  /** The tenant of a request's keys, which are all one tenant's. */
  private static String tenantOf(List<LimitKey> keys) {
    if (keys.isEmpty()) {
      throw new IllegalArgumentException("at least one key");
    }
    String tenant = keys.get(0).tenant();
    for (LimitKey key : keys) {
      if (!key.tenant().equals(tenant)) {
        // One script touches one hash slot: a request's ledgers are all its tenant's.
        throw new IllegalArgumentException("every key of a request has the same tenant");
      }
    }
    return tenant;
  }

  private static String text(Long value) {
    return value == null ? "" : Long.toString(value);
  }

  /** Runs the script by its SHA, loading it first when Redis does not have it. */
  private CompletableFuture<List<Object>> run(List<Object> keys, List<Object> args) {
    String route = (String) keys.get(0);
    Object[] values = args.toArray();
    return this.<List<Object>>evalSha(route, keys, values)
        .exceptionallyCompose(
            failure -> {
              if (!noScript(failure)) {
                return CompletableFuture.failedFuture(failure);
              }
              noScriptReloads.incrementAndGet();
              return script
                  .scriptLoadAsync(route, SCRIPT)
                  .toCompletableFuture()
                  .thenCompose(sha -> this.<List<Object>>evalSha(route, keys, values));
            })
        .whenComplete((reply, failure) -> outcome(failure));
  }

  private <R> CompletableFuture<R> evalSha(String route, List<Object> keys, Object[] values) {
    return script
        .<R>evalShaAsync(route, RScript.Mode.READ_WRITE, SHA, RScript.ReturnType.LIST, keys, values)
        .toCompletableFuture();
  }

  private static boolean noScript(Throwable failure) {
    Throwable cause = unwrap(failure);
    return cause instanceof RedisNoScriptException
        || (cause.getMessage() != null && cause.getMessage().startsWith("NOSCRIPT"));
  }

  private static Throwable unwrap(Throwable failure) {
    Throwable cause = failure;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  /** Keeps the script loaded and {@link #available()} current while no request comes. */
  private void probe() {
    try {
      script
          .scriptExistsAsync(new String[] {SHA})
          .toCompletableFuture()
          .thenCompose(
              exists ->
                  exists.get(0)
                      ? CompletableFuture.completedFuture(SHA)
                      : script.scriptLoadAsync(SCRIPT).toCompletableFuture())
          .whenComplete((sha, failure) -> outcome(failure));
    } catch (RuntimeException e) {
      // Redisson shutting down: the next probe is cancelled with the executor.
      outcome(e);
    }
  }

  /** Logs once per change between answering and not answering. */
  private void outcome(Throwable failure) {
    if (closed) {
      return;
    }
    boolean answered = failure == null;
    Boolean before = reachable.getAndSet(answered);
    if (before != null && before == answered) {
      return;
    }
    if (answered) {
      LOGGER
          .atInfo()
          .addKeyValue("address", address)
          .log(
              before == null ? "rate limiter: Redis answers" : "rate limiter: Redis answers again");
    } else {
      LOGGER
          .atWarn()
          .addKeyValue("address", address)
          .addKeyValue("error", unwrap(failure).getClass().getSimpleName())
          .addKeyValue("onRedisDown", onDown.name().toLowerCase(java.util.Locale.ROOT))
          .log(
              onDown == RedisDown.DENY
                  ? "rate limiter: Redis does not answer; requests are refused until it does"
                  : "rate limiter: Redis does not answer; requests pass unchecked until it does");
    }
  }

  /** A reservation's part of the script's reply as one decision per ledger, combined. */
  private static Reserved decide(List<LimitKey> keys, Answer answer) {
    List<LimitDecision> decisions = new ArrayList<>(keys.size());
    for (int i = 0; i < keys.size(); i++) {
      decisions.add(decision(keys.get(i).spec(), answer.reply(), answer.at() + PER_LEDGER * i));
    }
    return new Reserved(LimitDecision.combine(decisions), answer.nowMs());
  }

  private static LimitDecision decision(LimitSpec spec, List<Object> reply, int at) {
    long outcome = number(reply.get(at));
    Map<LimitKind, Headroom> figures = new EnumMap<>(LimitKind.class);
    if (spec.requests() != null) {
      figures.put(
          LimitKind.REQUESTS,
          headroom(spec.requests().requests(), reply.get(at + 4), reply.get(at + 5)));
    }
    if (spec.tokensPerMinute() != null) {
      figures.put(
          LimitKind.TOKENS_PER_MINUTE,
          headroom(spec.tokensPerMinute(), reply.get(at + 6), reply.get(at + 7)));
    }
    if (spec.dailyTokens() != null) {
      figures.put(
          LimitKind.DAILY_TOKENS,
          headroom(spec.dailyTokens(), reply.get(at + 8), reply.get(at + 9)));
    }
    if (spec.concurrent() != null) {
      figures.put(
          LimitKind.CONCURRENT,
          headroom(spec.concurrent(), reply.get(at + 10), reply.get(at + 11)));
    }
    if (outcome == 0) {
      return new LimitDecision.Allowed(figures);
    }
    if (outcome == 2) {
      return new LimitDecision.AlreadySettled(figures);
    }
    return new LimitDecision.Refused(
        KINDS[(int) number(reply.get(at + 1))],
        number(reply.get(at + 2)),
        number(reply.get(at + 3)) == 1,
        figures);
  }

  private static Headroom headroom(long limit, Object used, Object resetMs) {
    return new Headroom(limit, Math.max(0, limit - number(used)), number(resetMs));
  }

  private static long number(Object value) {
    if (value instanceof Number number) {
      return number.longValue();
    }
    return Long.parseLong(String.valueOf(value));
  }

  private static String readScript() {
    try (InputStream in = RedisLimiter.class.getResourceAsStream("limiter.lua")) {
      if (in == null) {
        throw new IllegalStateException("limiter.lua is missing from the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String sha1(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is missing from this JVM", e);
    }
  }
}

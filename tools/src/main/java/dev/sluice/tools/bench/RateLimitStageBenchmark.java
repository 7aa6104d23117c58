package dev.sluice.tools.bench;

import dev.sluice.pipeline.ratelimit.LedgerSerde;
import dev.sluice.pipeline.ratelimit.LimitKey;
import dev.sluice.pipeline.ratelimit.LimitSpec;
import dev.sluice.pipeline.ratelimit.StoreLimiter;
import dev.sluice.pipeline.ratelimit.TokenEstimate;
import dev.sluice.policy.RateLimits;
import dev.sluice.schemas.chat.ChatMessage;
import dev.sluice.schemas.chat.ChatRequest;
import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the rate-limit stage costs one request on the stream thread with the state-store backend, as
 * {@code scripts/bench} runs it (every limit set, high enough never to refuse): the token count of
 * the bench's request, one reservation and one settlement in the tenant's ledger, and its share of
 * the writes made once per commit (the changed ledger and the settled ids, serialised as the store
 * does; the changelog's sends are not in it), a commit every 5,000 requests. One tenant takes every
 * request, so its ledger is as full as it gets. JMH reports requests per second on one thread. Run
 * with {@code java -jar tools/target/benchmarks.jar RateLimitStageBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RateLimitStageBenchmark {
  /** With tokens counted (TPM and daily set), or only requests and concurrency. */
  @Param({"true", "false"})
  public boolean tokenLimits;

  private TokenEstimate tokens;
  private StoreLimiter limiter;
  private List<LimitKey> keys;
  private ChatRequest request;
  private long now = 1_767_225_600_000L;
  private long sequence;

  @Setup
  public void setUp() {
    tokens = new TokenEstimate();
    RateLimits limits =
        new RateLimits(
            OptionalLong.of(1_000_000_000L),
            OptionalLong.of(60_000),
            tokenLimits ? OptionalLong.of(1_000_000_000_000L) : OptionalLong.empty(),
            tokenLimits ? OptionalLong.of(1_000_000_000_000_000L) : OptionalLong.empty(),
            OptionalInt.of(1_000_000));
    keys = List.of(new LimitKey("bench", "", LimitSpec.of(limits)));
    limiter =
        new StoreLimiter(
            120_000, 10_000, store(new LedgerSerde()), store(LedgerSerde.settledIds()), () -> now);
    request =
        new ChatRequest(
            "stub",
            List.of(ChatMessage.of("user", "Hello, Sluice")),
            null,
            null,
            null,
            null,
            null,
            null);
  }

  @Benchmark
  public long reserveAndSettle() {
    // 5,000 requests a second, as the budget asks: the ledger's sub-buckets fill as in the bench.
    now += (sequence++ % 5 == 0) ? 1 : 0;
    String id = Long.toString(sequence);
    long reserved = tokenLimits ? tokens.reservation(request, 4096) : 0;
    limiter.reserve(keys, id, reserved).join();
    limiter.settle(keys, id, 9);
    if (sequence % 5_000 == 0) {
      // A commit a second: the changed ledger and the second's settled ids are written then.
      limiter.flush();
      limiter.prune();
    }
    return reserved;
  }

  /**
   * A store that keeps what it is given in a map, serialised as the real store would be, so the
   * serde's cost counts; everything else a store does is not needed here.
   */
  @SuppressWarnings("unchecked")
  private static <V> KeyValueStore<String, V> store(Serde<V> serde) {
    Map<String, byte[]> data = new HashMap<>();
    return (KeyValueStore<String, V>)
        Proxy.newProxyInstance(
            RateLimitStageBenchmark.class.getClassLoader(),
            new Class<?>[] {KeyValueStore.class},
            (proxy, method, args) ->
                switch (method.getName()) {
                  case "put" ->
                      data.put((String) args[0], serde.serializer().serialize("", (V) args[1]));
                  case "delete" -> data.remove((String) args[0]);
                  case "get" -> {
                    byte[] bytes = data.get((String) args[0]);
                    yield bytes == null ? null : serde.deserializer().deserialize("", bytes);
                  }
                  case "all" -> emptyIterator();
                  case "name" -> "bench";
                  default -> null;
                });
  }

  private static KeyValueIterator<String, Object> emptyIterator() {
    @SuppressWarnings("unchecked")
    KeyValueIterator<String, Object> none =
        (KeyValueIterator<String, Object>)
            Proxy.newProxyInstance(
                RateLimitStageBenchmark.class.getClassLoader(),
                new Class<?>[] {KeyValueIterator.class},
                (proxy, method, args) ->
                    switch (method.getName()) {
                      case "hasNext" -> false;
                      default -> null;
                    });
    return none;
  }
}

package dev.sluice.tools.bench;

import dev.sluice.config.Env;
import dev.sluice.pipeline.ratelimit.LimitKey;
import dev.sluice.pipeline.ratelimit.LimitSpec;
import dev.sluice.pipeline.ratelimit.RateLimitSettings.RedisDown;
import dev.sluice.pipeline.ratelimit.RedisLimiter;
import dev.sluice.pipeline.ratelimit.RedisSettings;
import dev.sluice.policy.RateLimits;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the Redis backend sustains for one tenant, as {@code scripts/bench} drives it (every limit
 * set, high enough never to refuse): 64 callers, each reserving one request and settling it,
 * against the {@code redis-server} at {@code REDIS_URL} (default {@code redis://127.0.0.1:6379}; it
 * must be running). JMH reports reserve-and-settle pairs per second across the 64 threads; on a
 * machine whose cores Redis shares, the figure that carries over is Redis's own CPU time per script
 * call (its process's CPU over {@code INFO commandstats}' {@code evalsha} calls;
 * docs/benchmarks.md). Settlements are not awaited, as the stage does not await them. Run with
 * {@code java -jar tools/target/benchmarks.jar RedisLimiterBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(1)
@Threads(64)
public class RedisLimiterBenchmark {
  private RedisLimiter limiter;
  private List<LimitKey> keys;

  @Setup
  public void setUp() {
    String url = System.getenv().getOrDefault("REDIS_URL", "redis://127.0.0.1:6379");
    RedisSettings redis = RedisSettings.from(Env.of(Map.of("REDIS_URL", url))).orElseThrow();
    limiter = RedisLimiter.connect(redis, RedisDown.DENY, 10_000, 120_000);
    RateLimits limits =
        new RateLimits(
            OptionalLong.of(1_000_000_000L),
            OptionalLong.of(60_000),
            OptionalLong.of(1_000_000_000_000L),
            OptionalLong.of(1_000_000_000_000_000L),
            OptionalInt.of(1_000_000));
    keys = List.of(new LimitKey("bench-" + UUID.randomUUID(), "", LimitSpec.of(limits)));
  }

  @TearDown
  public void tearDown() {
    limiter.close();
  }

  @Benchmark
  public Object reserveAndSettle() {
    String id = UUID.randomUUID().toString();
    Object decision = limiter.reserve(keys, id, 40).join();
    limiter.settle(keys, id, 12);
    return decision;
  }
}

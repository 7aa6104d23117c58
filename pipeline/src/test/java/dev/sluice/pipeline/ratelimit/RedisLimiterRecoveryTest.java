package dev.sluice.pipeline.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sluice.pipeline.ratelimit.LimitDecision.Allowed;
import dev.sluice.pipeline.ratelimit.RateLimitSettings.RedisDown;
import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.redisson.Redisson;

/**
 * Against a private {@code redis-server} (no persistence) on a free port: Redis going away and
 * coming back under one limiter (killed and started again on the same port), and a Redis that wants
 * a password. Skipped, loudly, without the redis-server binary.
 */
class RedisLimiterRecoveryTest {
  private Process server;

  @AfterEach
  void stop() throws InterruptedException {
    if (server != null) {
      server.destroyForcibly();
      server.waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void reservesAgainAfterRedisComesBackWithoutANewLimiter() throws Exception {
    String binary = redisServer();
    int port = TestRedis.freePort();
    server = start(binary, port);
    RedisSettings settings =
        new RedisSettings(false, "127.0.0.1", port, 0, Optional.empty(), Optional.empty());
    LimitKey key =
        new LimitKey(
            TestRedis.tenant("recovery"),
            "",
            new LimitSpec(new RequestLimit(1_000, 60_000), null, null, null));

    // connect's limiter, with a probe that runs once at start only: it would reload the script
    // itself, and the test wants to see a call do it.
    try (RedisLimiter limiter =
        new RedisLimiter(
            Redisson.create(RedisLimiter.config(settings)),
            settings.address(),
            RedisDown.DENY,
            60_000,
            60_000,
            3_600_000)) {
      assertThat(limiter.reserve(List.of(key), "before", 1).get(10, TimeUnit.SECONDS))
          .isInstanceOf(Allowed.class);
      assertThat(limiter.available()).isTrue();

      // A flushed script cache (as after a restart) is reloaded on NOSCRIPT.
      assertThat(TestRedis.command("127.0.0.1", port, "SCRIPT", "FLUSH")).isEqualTo("+OK");
      long reloads = limiter.noScriptReloads();
      assertThat(limiter.reserve(List.of(key), "flushed", 1).get(10, TimeUnit.SECONDS))
          .isInstanceOf(Allowed.class);
      assertThat(limiter.noScriptReloads()).isEqualTo(reloads + 1);

      server.destroyForcibly();
      server.waitFor(10, TimeUnit.SECONDS);
      assertThatThrownBy(() -> limiter.reserve(List.of(key), "down", 1).get(10, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOf(LimiterUnavailableException.class);
      assertThat(limiter.available()).isFalse();

      server = start(binary, port);
      LimitDecision after = null;
      // Redisson reconnects on its own schedule; each failed attempt answers within its timeout.
      for (int attempt = 0; attempt < 200 && after == null; attempt++) {
        try {
          after = limiter.reserve(List.of(key), "after-" + attempt, 1).get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
          assertThat(e.getCause()).isInstanceOf(LimiterUnavailableException.class);
          Thread.sleep(100);
        }
      }
      assertThat(after).as("a reservation after Redis came back").isInstanceOf(Allowed.class);
      assertThat(limiter.available()).isTrue();
    }
  }

  @Test
  void authenticatesWithTheSettingsPassword() throws Exception {
    String binary = redisServer();
    int port = TestRedis.freePort();
    server = start(binary, port, "--requirepass", "pa:ss w0rd");
    LimitKey key = new LimitKey(TestRedis.tenant("auth"), "", new LimitSpec(null, null, null, 1));
    RedisSettings wrong =
        new RedisSettings(false, "127.0.0.1", port, 0, Optional.empty(), Optional.of("wrong"));
    try (RedisLimiter limiter = RedisLimiter.connect(wrong, RedisDown.DENY, 60_000, 60_000)) {
      assertThatThrownBy(() -> limiter.reserve(List.of(key), "a", 1).get(10, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOf(LimiterUnavailableException.class)
          .hasMessageNotContaining("wrong");
    }
    RedisSettings right =
        RedisSettings.parse("redis://default:pa%3Ass%20w0rd@127.0.0.1:" + port + "/1");
    try (RedisLimiter limiter = RedisLimiter.connect(right, RedisDown.DENY, 60_000, 60_000)) {
      assertThat(limiter.reserve(List.of(key), "a", 1).get(10, TimeUnit.SECONDS))
          .isInstanceOf(Allowed.class);
      assertThat(limiter.reserve(List.of(key), "b", 1).get(10, TimeUnit.SECONDS))
          .isInstanceOf(LimitDecision.Refused.class);
    }
  }

  private static String redisServer() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      File candidate = new File(dir, "redis-server");
      if (candidate.canExecute()) {
        return candidate.getPath();
      }
    }
    System.err.println("SKIPPED: no redis-server on PATH for the Redis recovery test");
    assumeTrue(false, "Redis recovery test SKIPPED: no redis-server binary on PATH");
    return null;
  }

  private static Process start(String binary, int port, String... options)
      throws IOException, InterruptedException {
    List<String> command =
        new ArrayList<>(
            List.of(
                binary,
                "--port",
                Integer.toString(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no"));
    command.addAll(List.of(options));
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    for (int i = 0; i < 200 && !TestRedis.answers("127.0.0.1", port); i++) {
      assertThat(process.isAlive()).as("redis-server on port " + port).isTrue();
      Thread.sleep(50);
    }
    assertThat(TestRedis.answers("127.0.0.1", port)).as("redis-server answers").isTrue();
    return process;
  }
}

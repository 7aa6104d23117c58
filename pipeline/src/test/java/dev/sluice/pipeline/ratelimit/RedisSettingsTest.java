package dev.sluice.pipeline.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.config.ConfigException;
import dev.sluice.config.Env;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RedisSettingsTest {
  private static final String SECRET = "s3cr3t+p@ss:word";

  @Test
  void aPlainUrlHasTheDefaultPortAndDatabase() {
    RedisSettings redis = redis(Map.of("REDIS_URL", "redis://cache.internal"));
    assertThat(redis.tls()).isFalse();
    assertThat(redis.host()).isEqualTo("cache.internal");
    assertThat(redis.port()).isEqualTo(6379);
    assertThat(redis.database()).isZero();
    assertThat(redis.username()).isEmpty();
    assertThat(redis.password()).isEmpty();
    assertThat(redis.address()).isEqualTo("redis://cache.internal:6379");
  }

  @Test
  void readsTlsUserPasswordPortAndDatabaseFromTheUrl() {
    RedisSettings redis =
        redis(Map.of("REDIS_URL", "rediss://limiter:s3cr3t+p%40ss%3Aword@10.0.0.7:6380/2"));
    assertThat(redis.tls()).isTrue();
    assertThat(redis.username()).contains("limiter");
    assertThat(redis.password()).contains(SECRET);
    assertThat(redis.port()).isEqualTo(6380);
    assertThat(redis.database()).isEqualTo(2);
    assertThat(redis.address()).isEqualTo("rediss://10.0.0.7:6380");
  }

  @Test
  void aPasswordWithoutAUserIsTheDefaultUsers() {
    RedisSettings redis = redis(Map.of("REDIS_URL", "redis://:hunter2@[::1]:7000"));
    assertThat(redis.username()).isEmpty();
    assertThat(redis.password()).contains("hunter2");
    assertThat(redis.host()).isEqualTo("::1");
    assertThat(redis.address()).isEqualTo("redis://[::1]:7000");
  }

  @Test
  void thePasswordMayComeFromAFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("redis-password");
    Files.writeString(file, SECRET + "\n");
    RedisSettings redis =
        redis(Map.of("REDIS_URL", "rediss://cache:6380", "REDIS_PASSWORD_FILE", file.toString()));
    assertThat(redis.password()).contains(SECRET);
  }

  @Test
  void thePasswordComesFromOnePlaceOnly(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("redis-password");
    Files.writeString(file, "other");
    assertThatThrownBy(
            () ->
                redis(
                    Map.of(
                        "REDIS_URL",
                        "redis://:hunter2@cache",
                        "REDIS_PASSWORD_FILE",
                        file.toString())))
        .isInstanceOf(ConfigException.class)
        .hasMessage("set the Redis password in REDIS_URL or in REDIS_PASSWORD_FILE, not both");
  }

  @Test
  void anUnreadableOrEmptyPasswordFileIsNamed(@TempDir Path dir) throws Exception {
    Path missing = dir.resolve("missing");
    assertThatThrownBy(
            () -> redis(Map.of("REDIS_URL", "redis://cache", "REDIS_PASSWORD_FILE", "" + missing)))
        .hasMessage("REDIS_PASSWORD_FILE cannot be read: " + missing);
    Path empty = Files.writeString(dir.resolve("empty"), " \n");
    assertThatThrownBy(
            () -> redis(Map.of("REDIS_URL", "redis://cache", "REDIS_PASSWORD_FILE", "" + empty)))
        .hasMessage("REDIS_PASSWORD_FILE names an empty file: " + empty);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "http://:hunter2@cache",
        "cache:6379",
        "redis://:hunter2@",
        "redis://:hunter2@cache:0",
        "redis://:hunter2@cache/x",
        "redis://:hunter2@cache/1/2",
        "redis://:hunter2@cache?timeout=5",
        "redis://:hunter2@cache#top",
        "redis://:hunter2 @cache",
        "redis://:hunter2%zz@cache",
        "redis://hunter2@cache",
      })
  void aBadUrlStopsStartUpWithoutShowingIt(String url) {
    assertThatThrownBy(() -> redis(Map.of("REDIS_URL", url)))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("REDIS_URL")
        .hasMessageNotContaining("hunter2")
        .hasMessageNotContaining("cache");
  }

  @Test
  void toStringNeverShowsThePassword(@TempDir Path dir) throws Exception {
    RedisSettings fromUrl =
        redis(Map.of("REDIS_URL", "rediss://limiter:s3cr3t+p%40ss%3Aword@cache:6380/1"));
    assertThat(fromUrl)
        .hasToString(
            "RedisSettings[address=rediss://cache:6380, database=1, username=limiter,"
                + " password=(set)]");
    Path file = Files.writeString(dir.resolve("p"), SECRET);
    RedisSettings fromFile =
        redis(Map.of("REDIS_URL", "redis://cache", "REDIS_PASSWORD_FILE", file.toString()));
    RateLimitSettings settings =
        RateLimitSettings.from(
            Env.of(Map.of("REDIS_URL", "redis://:" + "hunter2" + "@cache", "RATE_LIMIT_TPM", "5")));
    for (Object shown : new Object[] {fromUrl, fromFile, settings}) {
      assertThat(shown.toString())
          .doesNotContain("s3cr3t")
          .doesNotContain("p%40ss")
          .doesNotContain("hunter2");
    }
    assertThat(redis(Map.of("REDIS_URL", "redis://cache")).toString()).contains("password=(unset)");
  }

  @Test
  void withoutAUrlThereIsNoRedis() {
    assertThat(RedisSettings.from(Env.of(Map.of()))).isEqualTo(Optional.empty());
  }

  private static RedisSettings redis(Map<String, String> env) {
    return RedisSettings.from(Env.of(env)).orElseThrow();
  }
}

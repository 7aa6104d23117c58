package dev.sluice.pipeline.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.config.ConfigException;
import dev.sluice.config.Env;
import dev.sluice.policy.PolicyBundle;
import dev.sluice.policy.RateLimits;
import dev.sluice.schemas.envelope.Source;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RateLimitSettingsTest {

  @Test
  void withNothingSetThereIsNoLimitAndNoRedis() {
    RateLimitSettings settings = RateLimitSettings.from(Env.of(Map.of()));
    assertThat(settings.defaults()).isEqualTo(RateLimits.NONE);
    assertThat(settings.redis()).isEmpty();
    assertThat(settings.onRedisDown()).isEqualTo(RateLimitSettings.RedisDown.DENY);
  }

  @Test
  void readsEveryLimit() {
    RateLimitSettings settings =
        RateLimitSettings.from(
            Env.of(
                Map.of(
                    "RATE_LIMIT_REQUESTS", "600",
                    "RATE_LIMIT_WINDOW_MS", "30000",
                    "RATE_LIMIT_TPM", "200000",
                    "RATE_LIMIT_DAILY_TOKENS", "5000000",
                    "RATE_LIMIT_CONCURRENT", "32",
                    "RATE_LIMIT_ON_REDIS_DOWN", "ALLOW")));
    assertThat(settings.defaults())
        .isEqualTo(
            RateLimits.NONE
                .withRequests(600, 30_000)
                .withTokensPerMinute(200_000)
                .withDailyTokens(5_000_000)
                .withConcurrent(32));
    assertThat(settings.onRedisDown()).isEqualTo(RateLimitSettings.RedisDown.ALLOW);
  }

  @Test
  void aCountAloneIsPerMinute() {
    RateLimits defaults =
        RateLimitSettings.from(Env.of(Map.of("RATE_LIMIT_REQUESTS", "10"))).defaults();
    assertThat(defaults.requests()).hasValue(10);
    assertThat(defaults.windowMs()).hasValue(60_000);
  }

  @Test
  void theDefaultsSitUnderTheBundle() {
    RateLimitSettings settings =
        RateLimitSettings.from(Env.of(Map.of("RATE_LIMIT_CONCURRENT", "3")));
    assertThat(
            settings
                .policy(PolicyBundle.empty())
                .forRequest("acme", "stub", Source.HTTP)
                .concurrent())
        .hasValue(3);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "RATE_LIMIT_REQUESTS | 0 | RATE_LIMIT_REQUESTS must be >= 1 (unset for no limit)",
        "RATE_LIMIT_REQUESTS | -1 | RATE_LIMIT_REQUESTS must be >= 1 (unset for no limit)",
        "RATE_LIMIT_REQUESTS | ten | RATE_LIMIT_REQUESTS must be an integer",
        "RATE_LIMIT_REQUESTS | 1.5 | RATE_LIMIT_REQUESTS must be an integer",
        "RATE_LIMIT_TPM | 0 | RATE_LIMIT_TPM must be >= 1 (unset for no limit)",
        "RATE_LIMIT_TPM | 1e6 | RATE_LIMIT_TPM must be an integer",
        "RATE_LIMIT_DAILY_TOKENS | 0 | RATE_LIMIT_DAILY_TOKENS must be >= 1 (unset for no limit)",
        "RATE_LIMIT_DAILY_TOKENS | 99999999999999999999 | RATE_LIMIT_DAILY_TOKENS must be an integer",
        "RATE_LIMIT_CONCURRENT | 0 | RATE_LIMIT_CONCURRENT must be >= 1 (unset for no limit)",
        "RATE_LIMIT_CONCURRENT | 3000000000 | RATE_LIMIT_CONCURRENT must be at most 2147483647",
        "RATE_LIMIT_WINDOW_MS | 60000 | RATE_LIMIT_WINDOW_MS needs RATE_LIMIT_REQUESTS",
        "RATE_LIMIT_ON_REDIS_DOWN | open | RATE_LIMIT_ON_REDIS_DOWN must be deny or allow",
        "REDIS_PASSWORD_FILE | /run/secrets/redis | REDIS_PASSWORD_FILE needs REDIS_URL",
      })
  void aBadValueStopsStartUpNamingTheVariable(String name, String value, String message) {
    assertThatThrownBy(() -> RateLimitSettings.from(Env.of(Map.of(name, value))))
        .isInstanceOf(ConfigException.class)
        .hasMessage(message);
  }

  @ParameterizedTest
  @CsvSource({"0", "999", "86400001", "x"})
  void theWindowIsFromASecondToADay(String window) {
    assertThatThrownBy(
            () ->
                RateLimitSettings.from(
                    Env.of(Map.of("RATE_LIMIT_REQUESTS", "5", "RATE_LIMIT_WINDOW_MS", window))))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("RATE_LIMIT_WINDOW_MS must be");
  }
}

package dev.sluice.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.schemas.envelope.Source;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RateLimitsTest {

  @Test
  void aLimitSetAboveWinsFieldByField() {
    RateLimits defaults =
        RateLimits.NONE.withRequests(600, 60_000).withTokensPerMinute(200_000).withConcurrent(32);
    RateLimits tenant = RateLimits.NONE.withTokensPerMinute(50_000).withDailyTokens(1_000_000);

    RateLimits merged = tenant.over(defaults);

    assertThat(merged.requests()).hasValue(600);
    assertThat(merged.windowMs()).hasValue(60_000);
    assertThat(merged.tokensPerMinute()).hasValue(50_000);
    assertThat(merged.dailyTokens()).hasValue(1_000_000);
    assertThat(merged.concurrent()).hasValue(32);
  }

  @Test
  void aWindowAloneChangesTheWindowOfAnInheritedCount() {
    RateLimits merged = RateLimits.NONE.withWindowMs(1_000).over(RateLimits.NONE.withRequests(5));
    assertThat(merged.requests()).hasValue(5);
    assertThat(merged.window()).isEqualTo(1_000);
    assertThat(RateLimits.NONE.withRequests(5).window()).isEqualTo(RateLimits.DEFAULT_WINDOW_MS);
    assertThat(RateLimits.NONE.withWindowMs(1_000).unlimited()).isTrue();
    assertThat(RateLimits.NONE.withConcurrent(1).unlimited()).isFalse();
  }

  @Test
  void mergingIsAssociativeAndNoneIsItsIdentity() {
    Random random = new Random(11);
    for (int i = 0; i < 2_000; i++) {
      RateLimits a = random(random);
      RateLimits b = random(random);
      RateLimits c = random(random);
      assertThat(a.over(b).over(c)).isEqualTo(a.over(b.over(c)));
      assertThat(a.over(RateLimits.NONE)).isEqualTo(a);
      assertThat(RateLimits.NONE.over(a)).isEqualTo(a);
      assertThat(a.over(a)).isEqualTo(a);
    }
  }

  @Test
  void limitsBelowOneAndWindowsOutOfRangeAreRefused() {
    assertThat(
            RateLimits.problems(
                OptionalLong.of(0),
                OptionalLong.of(999),
                OptionalLong.of(-1),
                OptionalLong.of(0),
                OptionalInt.of(0)))
        .containsExactly(
            "requests must be >= 1",
            "window_ms must be from 1000 to 86400000",
            "tokens_per_minute must be >= 1",
            "daily_tokens must be >= 1",
            "concurrent must be >= 1");
    assertThatThrownBy(() -> RateLimits.NONE.withWindowMs(86_400_001))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("window_ms must be from 1000 to 86400000");
    assertThat(RateLimits.NONE.withWindowMs(86_400_000).window()).isEqualTo(86_400_000);
  }

  @Test
  void toStringShowsOnlyWhatIsSet() {
    assertThat(RateLimits.NONE).hasToString("RateLimits[]");
    assertThat(RateLimits.NONE.withRequests(10).withConcurrent(2))
        .hasToString("RateLimits[requests=10/60000ms, concurrent=2]");
  }

  @Test
  void aModelsEntryWinsOverItsFileAndATenantsFileOverTheDefaults() {
    TenantRateLimits limits =
        new TenantRateLimits(
            List.of(
                new TenantRateLimits.Section(
                    RateLimits.NONE.withRequests(600).withTokensPerMinute(200_000),
                    Map.of("openai:gpt-4o", RateLimits.NONE.withTokensPerMinute(50_000)),
                    RateLimits.NONE.withRequests(100)),
                new TenantRateLimits.Section(
                    RateLimits.NONE.withTokensPerMinute(100_000),
                    Map.of("stub", RateLimits.NONE.withConcurrent(4)),
                    RateLimits.NONE)));
    RateLimits gateway = RateLimits.NONE.withDailyTokens(1_000).withConcurrent(64);

    // The tenant's file names no entry for gpt-4o, so its own 100000 beats the defaults' entry.
    assertThat(limits.forModel("openai:gpt-4o", gateway))
        .isEqualTo(
            RateLimits.NONE
                .withRequests(600)
                .withTokensPerMinute(100_000)
                .withDailyTokens(1_000)
                .withConcurrent(64));
    assertThat(limits.forModel("stub", gateway).concurrent()).hasValue(4);
    assertThat(limits.forModel("stub", gateway).tokensPerMinute()).hasValue(100_000);
    assertThat(limits.forBatch("stub", gateway).requests()).hasValue(100);
    assertThat(limits.forBatch("stub", gateway).concurrent()).hasValue(4);
    assertThat(limits.forRequest("stub", Source.BATCH, gateway))
        .isEqualTo(limits.forBatch("stub", gateway));
    assertThat(limits.forRequest("stub", Source.HTTP, gateway))
        .isEqualTo(limits.forModel("stub", gateway));
    assertThat(TenantRateLimits.NONE.forBatch("stub", gateway)).isEqualTo(gateway);
  }

  @Test
  void theDefaultsEntryForAModelAppliesWhenTheTenantSaysNothingOfItsKind() {
    TenantRateLimits limits =
        new TenantRateLimits(
            List.of(
                new TenantRateLimits.Section(
                    RateLimits.NONE,
                    Map.of("openai:gpt-4o", RateLimits.NONE.withTokensPerMinute(50_000)),
                    RateLimits.NONE),
                new TenantRateLimits.Section(
                    RateLimits.NONE.withRequests(10), Map.of(), RateLimits.NONE)));
    RateLimits resolved = limits.forModel("openai:gpt-4o", RateLimits.NONE);
    assertThat(resolved.tokensPerMinute()).hasValue(50_000);
    assertThat(resolved.requests()).hasValue(10);
    assertThat(limits.forModel("stub", RateLimits.NONE).tokensPerMinute()).isEmpty();
  }

  private static RateLimits random(Random random) {
    return new RateLimits(
        random.nextBoolean() ? OptionalLong.of(1 + random.nextInt(1000)) : OptionalLong.empty(),
        random.nextBoolean()
            ? OptionalLong.of(RateLimits.MIN_WINDOW_MS + random.nextInt(100_000))
            : OptionalLong.empty(),
        random.nextBoolean() ? OptionalLong.of(1 + random.nextInt(1000)) : OptionalLong.empty(),
        random.nextBoolean() ? OptionalLong.of(1 + random.nextInt(1000)) : OptionalLong.empty(),
        random.nextBoolean() ? OptionalInt.of(1 + random.nextInt(100)) : OptionalInt.empty());
  }
}

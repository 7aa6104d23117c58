package dev.sluice.pipeline;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.config.ConfigException;
import dev.sluice.config.Env;
import dev.sluice.pipeline.ratelimit.RateLimitSettings;
import dev.sluice.policy.PolicyBundle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Limits an operator sets are never silently ignored while the limiter is being built. */
class UnenforcedLimitsTest {
  @TempDir Path dir;

  @Test
  void noLimitSetStarts() {
    assertThatCode(
            () ->
                PipelineWiring.refuseUnenforcedLimits(
                    RateLimitSettings.from(Env.of(Map.of())).policy(PolicyBundle.empty())))
        .doesNotThrowAnyException();
  }

  @Test
  void aLimitInTheEnvironmentStopsStartUp() {
    assertThatThrownBy(
            () ->
                PipelineWiring.refuseUnenforcedLimits(
                    RateLimitSettings.from(Env.of(Map.of("RATE_LIMIT_CONCURRENT", "3")))
                        .policy(PolicyBundle.empty())))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("does not enforce them yet");
  }

  @Test
  void aLimitInATenantFileStopsStartUp() throws Exception {
    Files.writeString(dir.resolve("default.yaml"), "models:\n  aliases: {}\n");
    Files.createDirectories(dir.resolve("tenants"));
    Files.writeString(dir.resolve("tenants/acme.yaml"), "rate_limits:\n  requests: 5\n");
    assertThatThrownBy(
            () ->
                PipelineWiring.refuseUnenforcedLimits(
                    RateLimitSettings.from(Env.of(Map.of())).policy(PolicyBundle.load(dir))))
        .isInstanceOf(ConfigException.class);
  }

  @Test
  void theShippedBundleSetsNoLimit() {
    Path shipped = Path.of("").toAbsolutePath().getParent().resolve("policies");
    assertThatCode(
            () ->
                PipelineWiring.refuseUnenforcedLimits(
                    RateLimitSettings.from(Env.of(Map.of())).policy(PolicyBundle.load(shipped))))
        .doesNotThrowAnyException();
  }
}

package dev.sluice.pipeline.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.config.ConfigException;
import dev.sluice.policy.EnabledModels;
import dev.sluice.policy.ModelAccess;
import dev.sluice.policy.PolicyBundle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelChainsTest {
  private static final EnabledModels ENABLED =
      new EnabledModels(Set.of("openai:gpt-4o-mini", "anthropic:claude-haiku-4-5", "stub"));

  private static PolicyBundle bundle(Path dir, String defaults, String acme) throws Exception {
    Files.writeString(dir.resolve("default.yaml"), defaults);
    if (acme != null) {
      Files.createDirectories(dir.resolve("tenants"));
      Files.writeString(dir.resolve("tenants/acme.yaml"), acme);
    }
    return PolicyBundle.load(dir);
  }

  @Test
  void chainsComeFromEachTenantsPolicy(@TempDir Path dir) throws Exception {
    PolicyBundle policy =
        bundle(
            dir,
            "models:\n  fallbacks:\n    openai:gpt-4o-mini: [anthropic:claude-haiku-4-5, stub]\n",
            "models:\n  fallbacks:\n    openai:gpt-4o-mini: [stub]\n");
    ModelChains chains = ModelChains.fromPolicy(policy::forTenant);
    assertThat(chains.chain("globex", "openai:gpt-4o-mini"))
        .containsExactly("openai:gpt-4o-mini", "anthropic:claude-haiku-4-5", "stub");
    assertThat(chains.chain("acme", "openai:gpt-4o-mini"))
        .containsExactly("openai:gpt-4o-mini", "stub");
    assertThat(ModelChains.none().chain("acme", "openai:gpt-4o-mini"))
        .containsExactly("openai:gpt-4o-mini");
    ModelChains.check(new ModelAccess(ENABLED, policy), policy, policy.tenantsWithOverrides());
  }

  @Test
  void aFallbackOutsideTheTenantsModelsStopsStartUp(@TempDir Path dir) throws Exception {
    PolicyBundle policy =
        bundle(
            dir,
            "models:\n  fallbacks:\n    openai:gpt-4o-mini: [anthropic:claude-haiku-4-5]\n",
            "models:\n  allowed: [openai:gpt-4o-mini]\n");
    assertThatThrownBy(
            () ->
                ModelChains.check(
                    new ModelAccess(ENABLED, policy), policy, policy.tenantsWithOverrides()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("anthropic:claude-haiku-4-5")
        .hasMessageContaining("tenant acme");
  }

  @Test
  void aFallbackToAForbiddenProviderStopsStartUp(@TempDir Path dir) throws Exception {
    PolicyBundle policy =
        bundle(
            dir,
            "models:\n  fallbacks:\n    openai:gpt-4o-mini: [anthropic:claude-haiku-4-5]\n"
                + "providers:\n  allowed: [openai]\n",
            null);
    assertThatThrownBy(
            () ->
                ModelChains.check(
                    new ModelAccess(ENABLED, policy), policy, policy.tenantsWithOverrides()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("tenant -");
  }

  @Test
  void aChainOfAModelTheTenantCannotUseIsNotChecked(@TempDir Path dir) throws Exception {
    PolicyBundle policy =
        bundle(dir, "models:\n  fallbacks:\n    azure:prod: [azure:other]\n", null);
    ModelChains.check(new ModelAccess(ENABLED, policy), policy, policy.tenantsWithOverrides());
  }
}

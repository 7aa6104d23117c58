package dev.sluice.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.Env;
import dev.sluice.ingress.ModelList;
import dev.sluice.pipeline.stage.StageDecision;
import dev.sluice.pipeline.validation.ValidateRequest;
import dev.sluice.pipeline.validation.ValidationLimits;
import dev.sluice.policy.EnabledModels;
import dev.sluice.policy.ModelAccess;
import dev.sluice.policy.PolicyBundle;
import dev.sluice.schemas.Principal;
import dev.sluice.schemas.chat.ChatMessage;
import dev.sluice.schemas.chat.ChatRequest;
import dev.sluice.schemas.envelope.ReplyTo;
import dev.sluice.schemas.envelope.Source;
import dev.sluice.schemas.envelope.VerifiedRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the ingress lists at {@code GET /v1/models} is exactly what the pipeline's validation
 * accepts, for each tenant of a few gateway/bundle combinations: the ingress's own listing code and
 * the pipeline's own stage, over the same configuration, without a broker.
 */
class ModelListMatchesValidationTest {
  private static final List<String> TENANTS = List.of("acme", "globex", "dev", "beta");
  private static final List<String> STRANGERS =
      List.of("gpt-5", "openai:gpt-9", "openai:gpt-4o", "anthropic:claude-haiku-4-5", "azure:prod");

  @Test
  void theShippedBundleWithTheStubOnly() {
    Map<String, Set<String>> listed =
        assertListMatchesValidation("stub", PolicyBundle.load(GatewayFixture.repositoryPolicies()));
    assertThat(listed.get("acme")).containsExactly("echo", "fast", "stub");
    assertThat(listed.get("globex")).containsExactly("echo", "stub");
  }

  @Test
  void theShippedBundleWithAProviderModelEnabled() {
    Map<String, Set<String>> listed =
        assertListMatchesValidation(
            "stub,openai:gpt-4o-mini", PolicyBundle.load(GatewayFixture.repositoryPolicies()));
    // Enabling a model on the gateway is enough for every tenant whose policy does not narrow it.
    assertThat(listed.get("globex"))
        .containsExactly("echo", "gpt-4o-mini", "openai:gpt-4o-mini", "stub");
    assertThat(listed.get("acme"))
        .as("acme's policy narrows")
        .containsExactly("echo", "fast", "stub");
  }

  @Test
  void aBundleThatNarrowsByDefaultAndWidensForOneTenant(@TempDir Path dir) throws Exception {
    Files.writeString(
        dir.resolve("default.yaml"),
        "models:\n  allowed: [stub, anthropic:claude-haiku-4-5]\n"
            + "  aliases: {smart: anthropic:claude-haiku-4-5, big: openai:gpt-4o, mini:"
            + " openai:gpt-4o-mini}\n");
    Files.createDirectories(dir.resolve("tenants"));
    Files.writeString(
        dir.resolve("tenants/beta.yaml"),
        "models:\n  allowed: [openai:gpt-4o-mini, openai:gpt-4o]\n  aliases: {stub: openai:gpt-4o-mini}\n");
    Map<String, Set<String>> listed =
        assertListMatchesValidation(
            "stub,openai:gpt-4o-mini,anthropic:claude-haiku-4-5", PolicyBundle.load(dir));
    assertThat(listed.get("globex"))
        .containsExactly("anthropic:claude-haiku-4-5", "claude-haiku-4-5", "smart", "stub");
    // beta's alias shadows the stub; openai:gpt-4o is in its list but not enabled on the gateway.
    assertThat(listed.get("beta"))
        .containsExactly("gpt-4o-mini", "mini", "openai:gpt-4o-mini", "stub");
  }

  @Test
  void noBundleAtAll() {
    Map<String, Set<String>> listed =
        assertListMatchesValidation("stub,azure:prod", PolicyBundle.empty());
    assertThat(listed.get("acme")).containsExactly("azure:prod", "prod", "stub");
  }

  /** For every tenant: the names listed, which must be the names validation lets through. */
  private static Map<String, Set<String>> assertListMatchesValidation(
      String allowedModels, PolicyBundle bundle) {
    Env env = Env.of(Map.of("ALLOWED_MODELS", allowedModels));
    ModelAccess models = new ModelAccess(EnabledModels.from(env), bundle);
    ValidationLimits limits = ValidationLimits.from(env);
    ValidateRequest validation =
        new ValidateRequest(models, tenant -> limits.forTenant(bundle.forTenant(tenant)));
    Map<String, Set<String>> listedByTenant = new HashMap<>();
    for (String tenant : TENANTS) {
      Set<String> listed = new TreeSet<>(ModelList.of(models, tenant).ids());
      Set<String> candidates = new TreeSet<>(listed);
      candidates.addAll(models.enabled().models());
      candidates.addAll(bundle.forTenant(tenant).aliases().keySet());
      candidates.addAll(models.enabled().byBareName().keySet());
      candidates.addAll(STRANGERS);
      Set<String> accepted = new TreeSet<>();
      for (String name : candidates) {
        if (validation.apply(request(tenant, name), 0) instanceof StageDecision.Pass) {
          accepted.add(name);
        }
      }
      assertThat(listed)
          .as("tenant %s, ALLOWED_MODELS=%s", tenant, allowedModels)
          .isEqualTo(accepted);
      listedByTenant.put(tenant, listed);
    }
    return listedByTenant;
  }

  private static VerifiedRequest request(String tenant, String model) {
    return new VerifiedRequest(
        "r1",
        new Principal(tenant, "alice"),
        Source.HTTP,
        new ReplyTo("llm.replies", 0),
        null,
        null,
        null,
        null,
        0,
        new ChatRequest(
            model, List.of(ChatMessage.of("user", "hi")), null, null, null, null, null, null));
  }
}

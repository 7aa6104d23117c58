package dev.sluice.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.config.ConfigException;
import dev.sluice.config.Env;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelAccessTest {
  private static final EnabledModels GATEWAY =
      new EnabledModels(Set.of("stub", "openai:gpt-4o-mini", "anthropic:claude-haiku-4-5"));

  private static PolicyBundle bundle(Path dir, String defaults, String acme) throws Exception {
    Files.writeString(dir.resolve("default.yaml"), defaults);
    if (acme != null) {
      Files.createDirectories(dir.resolve("tenants"));
      Files.writeString(dir.resolve("tenants/acme.yaml"), acme);
    }
    return PolicyBundle.load(dir);
  }

  @Test
  void withoutAModelListInThePolicyEveryEnabledModelIsUsable(@TempDir Path dir) throws Exception {
    ModelAccess access =
        new ModelAccess(GATEWAY, bundle(dir, "models:\n  aliases: {echo: stub}\n", null));

    assertThat(access.forTenant("globex").usable())
        .containsExactlyInAnyOrder("stub", "openai:gpt-4o-mini", "anthropic:claude-haiku-4-5");
    assertThat(access.decide("globex", "openai:gpt-4o-mini"))
        .isEqualTo(new ModelDecision.Allowed("openai:gpt-4o-mini", "openai:gpt-4o-mini"));
    assertThat(access.decide("globex", "echo"))
        .isEqualTo(new ModelDecision.Allowed("echo", "stub"));
  }

  @Test
  void saysWhetherTheGatewayOrTheTenantsPolicyRefusedAModel(@TempDir Path dir) throws Exception {
    ModelAccess access =
        new ModelAccess(
            GATEWAY,
            bundle(
                dir,
                "models:\n  aliases: {big: openai:gpt-5}\n",
                "models:\n  allowed: [stub, openai:gpt-5]\n  aliases: {fast: openai:gpt-4o-mini}\n"));

    assertThat(access.decide("globex", "openai:gpt-5"))
        .isEqualTo(
            new ModelDecision.Refused(
                "openai:gpt-5", "openai:gpt-5", ModelDecision.RefusedBy.GATEWAY));
    assertThat(access.decide("globex", "big"))
        .isEqualTo(
            new ModelDecision.Refused("big", "openai:gpt-5", ModelDecision.RefusedBy.GATEWAY));
    // acme's list names a model the gateway does not enable: the gateway still refuses it.
    assertThat(access.decide("acme", "openai:gpt-5"))
        .isInstanceOf(ModelDecision.Refused.class)
        .extracting(decision -> ((ModelDecision.Refused) decision).by())
        .isEqualTo(ModelDecision.RefusedBy.GATEWAY);
    assertThat(access.decide("acme", "fast"))
        .isEqualTo(
            new ModelDecision.Refused(
                "fast", "openai:gpt-4o-mini", ModelDecision.RefusedBy.TENANT_POLICY));
    assertThat(access.decide("acme", "stub")).isEqualTo(new ModelDecision.Allowed("stub", "stub"));
  }

  @Test
  void listsTheUsableModelsAndTheAliasesThatResolveToOneWithTheirProvider(@TempDir Path dir)
      throws Exception {
    // big resolves to a model the gateway does not enable: not listed.
    ModelAccess access =
        new ModelAccess(
            GATEWAY,
            bundle(
                dir,
                "models:\n  aliases: {echo: stub, big: openai:gpt-5}\n",
                "models:\n  allowed: [stub, openai:gpt-4o-mini]\n  aliases: {fast: openai:gpt-4o-mini}\n"));

    assertThat(access.listed("acme"))
        .containsExactly(
            new ListedModel("echo", "stub", "sluice"),
            new ListedModel("fast", "openai:gpt-4o-mini", "openai"),
            new ListedModel("gpt-4o-mini", "openai:gpt-4o-mini", "openai"),
            new ListedModel("openai:gpt-4o-mini", "openai:gpt-4o-mini", "openai"),
            new ListedModel("stub", "stub", "sluice"));
  }

  @Test
  void theListHoldsExactlyTheNamesADecisionAllows(@TempDir Path dir) throws Exception {
    // Including an alias that shadows a usable model but resolves to one the tenant may not use.
    ModelAccess access =
        new ModelAccess(
            GATEWAY,
            bundle(
                dir,
                "models:\n  aliases: {echo: stub, stub2: stub}\n",
                "models:\n  allowed: [stub, anthropic:claude-haiku-4-5]\n"
                    + "  aliases: {stub: openai:gpt-4o-mini, haiku: anthropic:claude-haiku-4-5}\n"));
    for (String tenant : List.of("acme", "globex")) {
      Set<String> candidates = new TreeSet<>(access.enabled().models());
      candidates.addAll(access.forTenant(tenant).aliases().keySet());
      candidates.addAll(access.enabled().byBareName().keySet());
      candidates.addAll(List.of("gpt-5", "openai:gpt-5", "anthropic:claude-haiku-4-5"));
      Set<String> allowed = new TreeSet<>();
      for (String name : candidates) {
        if (access.decide(tenant, name) instanceof ModelDecision.Allowed) {
          allowed.add(name);
        }
      }
      assertThat(access.listed(tenant))
          .as(tenant)
          .extracting(ListedModel::id)
          .containsExactlyElementsOf(allowed);
    }
    assertThat(access.listed("acme")).extracting(ListedModel::id).doesNotContain("stub");
  }

  @Test
  void aBareNameResolvesWhenOneEnabledModelServesIt(@TempDir Path dir) throws Exception {
    ModelAccess access =
        new ModelAccess(
            new EnabledModels(Set.of("stub", "openai:gpt-4o-mini", "anthropic:claude-haiku-4-5")),
            PolicyBundle.empty());
    assertThat(access.decide("globex", "gpt-4o-mini"))
        .isEqualTo(new ModelDecision.Allowed("gpt-4o-mini", "openai:gpt-4o-mini"));
    assertThat(access.decide("globex", "claude-haiku-4-5"))
        .isEqualTo(new ModelDecision.Allowed("claude-haiku-4-5", "anthropic:claude-haiku-4-5"));
    assertThat(access.decide("globex", "gpt-4o")).isInstanceOf(ModelDecision.Refused.class);

    EnabledModels twice = new EnabledModels(Set.of("openai:gpt-4o-mini", "azure:gpt-4o-mini"));
    assertThatThrownBy(() -> new ModelAccess(twice, PolicyBundle.empty()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("gpt-4o-mini is served by azure:gpt-4o-mini and openai:gpt-4o-mini")
        .hasMessageContaining("models.aliases");

    ModelAccess decided =
        new ModelAccess(
            twice, bundle(dir, "models:\n  aliases: {gpt-4o-mini: azure:gpt-4o-mini}\n", null));
    assertThat(decided.decide("globex", "gpt-4o-mini").model()).isEqualTo("azure:gpt-4o-mini");
  }

  @Test
  void groupsTheEnabledModelsByTheProviderThatServesThem() {
    ModelAccess access =
        new ModelAccess(
            new EnabledModels(Set.of("stub", "openai:gpt-4o-mini", "openai:gpt-4o", "azure:prod")),
            PolicyBundle.empty());

    assertThat(access.modelsByProvider())
        .isEqualTo(
            Map.of(
                "azure", List.of("azure:prod"),
                "openai", List.of("openai:gpt-4o", "openai:gpt-4o-mini"),
                "stub", List.of("stub")));
    assertThat(ModelAccess.providerOf("openai:ft:gpt-4o-mini:org::x")).isEqualTo("openai");
  }

  @Test
  void worksEachTenantOutOnce(@TempDir Path dir) throws Exception {
    ModelAccess access =
        new ModelAccess(EnabledModels.from(Env.of(Map.of())), bundle(dir, "", null));
    assertThat(access.forTenant("acme")).isSameAs(access.forTenant("acme"));
  }
}

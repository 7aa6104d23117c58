package dev.sluice.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PolicyBundleTest {

  /** The repository's policies/ folder, found from the module directory. */
  static Path shippedBundle() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isRegularFile(dir.resolve("policies/default.yaml"))) {
      dir = dir.getParent();
    }
    assertThat(dir).as("policies/ above the working directory").isNotNull();
    return dir.resolve("policies");
  }

  @Test
  void theShippedBundleLoadsAndMatchesItsSchema() throws Exception {
    Path dir = shippedBundle();
    PolicyBundle bundle = PolicyBundle.load(dir);
    assertThat(bundle.version()).matches("sha256:[0-9a-f]{64}");
    assertThat(bundle.tenantsWithOverrides()).contains("acme");

    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    JsonSchema schema =
        JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
            .getSchema(Files.readString(dir.resolve("bundle.schema.json")));
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).toList()) {
        JsonNode document = yaml.readTree(file.toFile());
        assertThat(schema.validate(document)).as(file.toString()).isEmpty();
      }
    }
  }

  @Test
  void aTenantFileOverridesTheDefaultsAndAddsDenials(@TempDir Path dir) throws Exception {
    write(
        dir.resolve("default.yaml"),
        "models:\n  allowed: [stub]\n  aliases: {echo: stub}\n"
            + "limits: {max_messages: 10, max_tokens: 100}\n"
            + "deny:\n  - reason: no suspended\n    subjects: [suspended]\n");
    write(
        dir.resolve("tenants/acme.yaml"),
        "models:\n  allowed: [stub, openai:gpt-4o-mini]\n  aliases: {fast: openai:gpt-4o-mini}\n"
            + "limits: {max_tokens: 800}\n"
            + "deny:\n  - reason: no big answers for interns\n    subjects: [intern]\n"
            + "    max_tokens_above: 200\n");
    PolicyBundle bundle = PolicyBundle.load(dir);

    TenantPolicy acme = bundle.forTenant("acme");
    assertThat(acme.allowedModels()).contains(Set.of("stub", "openai:gpt-4o-mini"));
    assertThat(acme.resolve("fast")).isEqualTo("openai:gpt-4o-mini");
    assertThat(acme.resolve("echo")).isEqualTo("stub");
    assertThat(acme.resolve("stub")).isEqualTo("stub");
    assertThat(acme.maxMessages()).isEqualTo(10);
    assertThat(acme.maxTokens()).isEqualTo(800);
    assertThat(acme.maxMessageChars()).isNull();
    assertThat(acme.denial(facts("stub", "suspended", null))).isPresent();
    assertThat(acme.denial(facts("stub", "intern", 300)).map(DenyRule::reason))
        .contains("no big answers for interns");
    assertThat(acme.denial(facts("stub", "intern", 100))).isEmpty();

    TenantPolicy other = bundle.forTenant("globex");
    assertThat(other.allowedModels()).contains(Set.of("stub"));
    assertThat(other.resolve("fast")).isEqualTo("fast");
    assertThat(other.maxTokens()).isEqualTo(100);
    assertThat(other.denial(facts("stub", "intern", 300))).isEmpty();
  }

  @Test
  void fallbackChainsMergePerModelOverTheDefaults(@TempDir Path dir) throws Exception {
    write(
        dir.resolve("default.yaml"),
        "models:\n  fallbacks:\n    openai:gpt-4o-mini: [anthropic:claude-haiku-4-5, stub]\n"
            + "    azure:prod: [openai:gpt-4o-mini]\n");
    write(
        dir.resolve("tenants/acme.yaml"),
        "models:\n  fallbacks:\n    openai:gpt-4o-mini: [azure:prod]\n");
    PolicyBundle bundle = PolicyBundle.load(dir);

    assertThat(bundle.forTenant("globex").modelChain("openai:gpt-4o-mini"))
        .containsExactly("openai:gpt-4o-mini", "anthropic:claude-haiku-4-5", "stub");
    assertThat(bundle.forTenant("acme").modelChain("openai:gpt-4o-mini"))
        .containsExactly("openai:gpt-4o-mini", "azure:prod");
    assertThat(bundle.forTenant("acme").modelChain("azure:prod"))
        .containsExactly("azure:prod", "openai:gpt-4o-mini");
    assertThat(bundle.forTenant("acme").modelChain("stub")).containsExactly("stub");
  }

  @Test
  void aFallbackChainMustNameOtherModelsOnce(@TempDir Path dir) throws Exception {
    for (String chain : List.of("[]", "[stub, stub]", "[openai:a]", "[\"\"]")) {
      write(dir.resolve("default.yaml"), "models:\n  fallbacks:\n    openai:a: " + chain + "\n");
      assertThatThrownBy(() -> PolicyBundle.load(dir))
          .as(chain)
          .isInstanceOf(PolicyException.class)
          .hasMessageContaining("models.fallbacks.openai:a");
    }
  }

  @Test
  void contextSourceRulesMatchByPrefix() {
    DenyRule rule =
        new DenyRule("no wiki", List.of(), List.of("contractor"), List.of("kb://internal/"), null);
    assertThat(
            rule.matches(
                new DenyRule.Facts("stub", "contractor", null, List.of("kb://internal/hr"))))
        .isTrue();
    assertThat(
            rule.matches(
                new DenyRule.Facts("stub", "contractor", null, List.of("kb://approved/x"))))
        .isFalse();
    assertThat(rule.matches(new DenyRule.Facts("stub", "contractor", null, List.of()))).isFalse();
  }

  @Test
  void contextSourceRulesCompareCanonicalSpellings() {
    DenyRule rule = new DenyRule("no wiki", List.of(), List.of(), List.of("KB://Internal/"), null);
    for (String source :
        List.of(
            "kb://internal/hr",
            "KB://internal/hr",
            "kb://INTERNAL/hr",
            "kb://internal%2Fhr",
            "kb://internal%252Fhr",
            "kb:\\\\internal\\hr",
            "kb://internal//hr",
            "kb://internal/old/../hr")) {
      assertThat(rule.matches(new DenyRule.Facts("stub", "bob", null, List.of(source))))
          .as(source)
          .isTrue();
    }
    assertThat(rule.matches(new DenyRule.Facts("stub", "bob", null, List.of("kb://approved/x"))))
        .isFalse();
  }

  @Test
  void aSourceWithoutCanonicalFormIsCoveredByEveryContextRule() {
    DenyRule rule = new DenyRule("no wiki", List.of(), List.of(), List.of("kb://internal/"), null);
    assertThat(
            rule.matches(new DenyRule.Facts("stub", "bob", null, List.of("kb://internal/../../x"))))
        .isTrue();
  }

  @Test
  void aSourceWithInvisibleCharactersHasNoCanonicalFormSoItCannotSlipPastARule() {
    // Stripped before the provider sees it, "kb://inte<tags>rnal/hr" would read kb://internal/hr.
    String tags = new StringBuilder().appendCodePoint(0xE0061).appendCodePoint(0xE0062).toString();
    DenyRule rule = new DenyRule("no wiki", List.of(), List.of(), List.of("kb://internal/"), null);
    for (String source :
        List.of(
            "kb://inte" + tags + "rnal/hr",
            "kb://inte\u200Brnal/hr",
            "kb://inte%E2%80%8Brnal/hr",
            "kb://internal\u202E/hr",
            "kb://inte\uFE0F\uFE01rnal/hr",
            "kb://inte\u0085rnal/hr")) {
      assertThat(ContextSources.canonical(source)).as(source).isEmpty();
      assertThat(rule.matches(new DenyRule.Facts("stub", "bob", null, List.of(source))))
          .as(source)
          .isTrue();
    }
  }

  @Test
  void aDenyRuleWithAnInvalidContextPrefixStopsTheBundleLoading(@TempDir Path dir)
      throws Exception {
    write(
        dir.resolve("default.yaml"),
        "deny:\n  - reason: bad\n    context_sources: [\"kb://internal/../../x\"]\n");
    assertThatThrownBy(() -> PolicyBundle.load(dir))
        .isInstanceOf(PolicyException.class)
        .hasMessageContaining("context source prefix");
  }

  @Test
  void theVersionChangesWithAnyFile(@TempDir Path dir) throws Exception {
    write(dir.resolve("default.yaml"), "limits: {max_tokens: 100}\n");
    String first = PolicyBundle.load(dir).version();
    assertThat(PolicyBundle.load(dir).version()).isEqualTo(first);
    write(dir.resolve("tenants/acme.yaml"), "limits: {max_tokens: 200}\n");
    assertThat(PolicyBundle.load(dir).version()).isNotEqualTo(first);
  }

  @Test
  void anInvalidBundleStopsStartUpNamingTheFile(@TempDir Path dir) throws Exception {
    assertThatThrownBy(() -> PolicyBundle.load(dir)).hasMessageContaining("no default.yaml");

    write(dir.resolve("default.yaml"), "limits: {max_tokns: 100}\n");
    assertThatThrownBy(() -> PolicyBundle.load(dir))
        .isInstanceOf(PolicyException.class)
        .hasMessageContaining("default.yaml")
        .hasMessageContaining("max_tokns");

    write(dir.resolve("default.yaml"), "limits: {max_tokens: 0}\n");
    assertThatThrownBy(() -> PolicyBundle.load(dir))
        .hasMessage("default.yaml: limits.max_tokens must be >= 1");

    write(dir.resolve("default.yaml"), "deny:\n  - subjects: [x]\n");
    assertThatThrownBy(() -> PolicyBundle.load(dir)).hasMessageContaining("reason");

    write(dir.resolve("default.yaml"), "models: [unclosed\n");
    assertThatThrownBy(() -> PolicyBundle.load(dir)).hasMessageContaining("default.yaml: invalid");

    write(dir.resolve("default.yaml"), "");
    write(dir.resolve("tenants/bad tenant!.yaml"), "limits: {max_tokens: 1}\n");
    assertThatThrownBy(() -> PolicyBundle.load(dir)).hasMessageContaining("not a valid tenant");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "..yaml", // tenant "."
        "...yaml", // tenant ".."
        "-.yaml", // the audit log's key for unauthenticated requests
        ".yaml",
        "ac\u200bme.yaml", // zero-width space: looks exactly like acme
        "acme\u202e.yaml", // right-to-left override
        "\u0430cme.yaml", // Cyrillic a
        "acme corp.yaml"
      })
  void tenantFilesFollowTheTokensRuleForTenantNames(String name, @TempDir Path dir)
      throws Exception {
    write(dir.resolve("default.yaml"), "");
    write(dir.resolve("tenants").resolve(name), "limits: {max_tokens: 1}\n");

    assertThatThrownBy(() -> PolicyBundle.load(dir))
        .isInstanceOf(PolicyException.class)
        .hasMessageContaining("not a valid tenant name");
  }

  @Test
  void tenantNamesAreCaseSensitiveAndMayUseTheWholeSafeSet(@TempDir Path dir) throws Exception {
    write(dir.resolve("default.yaml"), "");
    write(dir.resolve("tenants/acme.yaml"), "limits: {max_tokens: 100}\n");
    write(dir.resolve("tenants/Acme.yaml"), "limits: {max_tokens: 200}\n");
    write(dir.resolve("tenants/org:acme@eu_1.yml"), "limits: {max_tokens: 300}\n");

    PolicyBundle bundle = PolicyBundle.load(dir);

    assertThat(bundle.tenantsWithOverrides())
        .containsExactlyInAnyOrder("acme", "Acme", "org:acme@eu_1");
    assertThat(bundle.forTenant("acme").maxTokens()).isEqualTo(100);
    assertThat(bundle.forTenant("Acme").maxTokens()).isEqualTo(200);
    assertThat(bundle.forTenant("ACME").maxTokens()).isNull();
    assertThat(bundle.forTenant("org:acme@eu_1").maxTokens()).isEqualTo(300);
  }

  @Test
  void theSpotlightModeIsSetPerTenantOverTheDefaults(@TempDir Path dir) throws Exception {
    write(dir.resolve("default.yaml"), "firewall: {spotlight: datamark}\n");
    write(dir.resolve("tenants/acme.yaml"), "firewall: {spotlight: off, context_mode: flag}\n");
    write(dir.resolve("tenants/globex.yaml"), "firewall: {sensitivity: 7}\n");
    PolicyBundle bundle = PolicyBundle.load(dir);

    assertThat(bundle.forTenant("acme").spotlightMode()).isEqualTo("off");
    assertThat(bundle.forTenant("globex").spotlightMode()).isEqualTo("datamark");
    assertThat(bundle.forTenant("initech").spotlightMode()).isEqualTo("datamark");
    assertThat(PolicyBundle.empty().forTenant("acme").spotlightMode()).isNull();

    write(dir.resolve("tenants/acme.yaml"), "firewall: {spotlight: base64}\n");
    assertThatThrownBy(() -> PolicyBundle.load(dir))
        .isInstanceOf(PolicyException.class)
        .hasMessage("tenants/acme.yaml: firewall.spotlight must be delimit, datamark or off");
  }

  @Test
  void strippingHiddenTextIsSetPerTenantOverTheDefaults(@TempDir Path dir) throws Exception {
    write(dir.resolve("default.yaml"), "firewall: {strip_hidden_text: false}\n");
    write(dir.resolve("tenants/acme.yaml"), "firewall: {strip_hidden_text: true}\n");
    write(dir.resolve("tenants/globex.yaml"), "firewall: {spotlight: datamark}\n");
    PolicyBundle bundle = PolicyBundle.load(dir);

    assertThat(bundle.forTenant("acme").stripHiddenText()).isTrue();
    assertThat(bundle.forTenant("globex").stripHiddenText()).isFalse();
    assertThat(bundle.forTenant("initech").stripHiddenText()).isFalse();
    assertThat(PolicyBundle.empty().forTenant("acme").stripHiddenText()).isNull();

    write(dir.resolve("tenants/acme.yaml"), "firewall: {strip_hidden_text: sometimes}\n");
    assertThatThrownBy(() -> PolicyBundle.load(dir))
        .isInstanceOf(PolicyException.class)
        .hasMessageStartingWith("tenants/acme.yaml: invalid");
  }

  @Test
  void theEmptyBundleRestrictsNothing() {
    TenantPolicy policy = PolicyBundle.empty().forTenant("acme");
    assertThat(policy.allowedModels()).isEqualTo(Optional.empty());
    assertThat(policy.denials()).isEmpty();
  }

  private static DenyRule.Facts facts(String model, String subject, Integer maxTokens) {
    return new DenyRule.Facts(model, subject, maxTokens, List.of());
  }

  private static void write(Path file, String content) throws Exception {
    Files.createDirectories(file.getParent());
    Files.writeString(file, content);
  }
}

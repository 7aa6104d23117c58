package dev.sluice.pipeline.validation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.pipeline.StageRequests;
import dev.sluice.pipeline.stage.StageDecision;
import dev.sluice.policy.EnabledModels;
import dev.sluice.policy.ModelAccess;
import dev.sluice.policy.PolicyBundle;
import dev.sluice.schemas.Json;
import dev.sluice.schemas.chat.ChatRequests;
import dev.sluice.schemas.envelope.VerifiedRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The request fields beyond the caps: unknown ones refused unless the tenant's policy passes them
 * through, provider storage as the policy says, and options a provider cannot take refused.
 */
class ValidateRequestFieldsTest {
  @TempDir static Path bundleDir;

  private static PolicyBundle bundle;
  private static ValidateRequest stage;

  /** initech passes unknown fields through; hooli keeps requests out of provider storage. */
  @BeforeAll
  static void bundle() throws Exception {
    Files.writeString(bundleDir.resolve("default.yaml"), "models: {}\n");
    Files.createDirectories(bundleDir.resolve("tenants"));
    Files.writeString(
        bundleDir.resolve("tenants/initech.yaml"),
        "request_fields:\n  passthrough_unknown_fields: true\n");
    Files.writeString(
        bundleDir.resolve("tenants/hooli.yaml"), "request_fields:\n  provider_storage: false\n");
    bundle = PolicyBundle.load(bundleDir);
    ModelAccess models =
        new ModelAccess(
            new EnabledModels(Set.of("openai:gpt-4o-mini", "anthropic:claude-haiku-4-5")), bundle);
    ValidationLimits defaults = new ValidationLimits(8, 200, 1_000);
    stage = new ValidateRequest(models, tenant -> defaults.forTenant(bundle.forTenant(tenant)));
  }

  private static StageDecision validate(String tenant, String model, String extra)
      throws Exception {
    String body =
        "{\"model\":\""
            + model
            + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]"
            + (extra.isEmpty() ? "" : "," + extra)
            + "}";
    VerifiedRequest request =
        StageRequests.verified(tenant, "alice", ChatRequests.parse(Json.mapper().readTree(body)));
    return stage.apply(request, 0);
  }

  private static void assertDenied(StageDecision decision, int status, String code, String param) {
    assertThat(decision).isInstanceOf(StageDecision.Deny.class);
    var refusal = ((StageDecision.Deny) decision).refusal();
    assertThat(refusal.code().status()).isEqualTo(status);
    assertThat(refusal.code().code()).isEqualTo(code);
    assertThat(refusal.error().param()).isEqualTo(param);
  }

  @Test
  void anUnknownFieldIsRefusedByNameUnlessThePolicyPassesItThrough() throws Exception {
    StageDecision refused = validate("globex", "openai:gpt-4o-mini", "\"x_cache\":true");
    assertDenied(refused, 400, "unsupported_parameter", "x_cache");
    assertThat(((StageDecision.Deny) refused).refusal().error().message())
        .startsWith("Unrecognized request argument supplied: x_cache");

    assertThat(validate("initech", "openai:gpt-4o-mini", "\"x_cache\":true"))
        .isInstanceOf(StageDecision.Pass.class);
    assertThat(validate("globex", "openai:gpt-4o-mini", "\"seed\":1,\"logprobs\":true"))
        .as("known options need no opt-in")
        .isInstanceOf(StageDecision.Pass.class);
  }

  @Test
  void providerStorageFollowsThePolicy() throws Exception {
    assertDenied(
        validate("hooli", "openai:gpt-4o-mini", "\"store\":true"), 403, "policy_denied", "store");
    assertDenied(
        validate("hooli", "openai:gpt-4o-mini", "\"metadata\":{\"a\":\"b\"}"),
        403,
        "policy_denied",
        "metadata");
    assertThat(validate("hooli", "openai:gpt-4o-mini", "\"store\":false"))
        .isInstanceOf(StageDecision.Pass.class);
    assertThat(
            validate("globex", "openai:gpt-4o-mini", "\"store\":true,\"metadata\":{\"a\":\"b\"}"))
        .as("allowed by default")
        .isInstanceOf(StageDecision.Pass.class);
  }

  @Test
  void anOptionAnthropicCannotTakeIsRefusedNotDropped() throws Exception {
    assertDenied(
        validate("globex", "anthropic:claude-haiku-4-5", "\"seed\":7"),
        400,
        "unsupported_parameter",
        "seed");
    assertThat(validate("globex", "anthropic:claude-haiku-4-5", "\"max_completion_tokens\":20"))
        .isInstanceOf(StageDecision.Pass.class);
  }

  @Test
  void theCapIsNamedAsTheCallerNamedItAndTheOptionsTextCounts() throws Exception {
    assertDenied(
        validate("globex", "openai:gpt-4o-mini", "\"max_completion_tokens\":5000"),
        400,
        "max_tokens_too_large",
        "max_completion_tokens");
    assertDenied(
        validate(
            "globex",
            "openai:gpt-4o-mini",
            "\"prediction\":{\"type\":\"content\",\"content\":\"" + "p".repeat(201) + "\"}"),
        400,
        "message_too_long",
        "prediction");
  }
}

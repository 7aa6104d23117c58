package dev.sluice.pipeline.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.pipeline.StageRequests;
import dev.sluice.pipeline.stage.StageDecision;
import dev.sluice.policy.PolicyBundle;
import dev.sluice.schemas.chat.RagChunk;
import dev.sluice.schemas.chat.RagContext;
import dev.sluice.schemas.envelope.VerifiedRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalPolicyTest {

  private static VerifiedRequest request(String tenant, String subject, RagContext context) {
    return StageRequests.verified(
        tenant, subject, StageRequests.chat("stub", StageRequests.user("q"), 64, context));
  }

  @Test
  void deniesWhatTheTenantsRulesDenyWithTheRulesReason(@TempDir Path dir) throws Exception {
    Files.writeString(
        dir.resolve("default.yaml"), "deny:\n  - reason: suspended\n    subjects: [suspended]\n");
    Files.createDirectories(dir.resolve("tenants"));
    Files.writeString(
        dir.resolve("tenants/acme.yaml"),
        "deny:\n  - reason: no internal wiki for contractors\n    subjects: [contractor]\n"
            + "    context_sources: [\"kb://internal/\"]\n");
    LocalPolicy policy = new LocalPolicy(PolicyBundle.load(dir));

    StageDecision suspended = policy.apply(request("globex", "suspended", null), 0);
    assertThat(suspended).isInstanceOf(StageDecision.Deny.class);
    var refusal = ((StageDecision.Deny) suspended).refusal();
    assertThat(refusal.code().status()).isEqualTo(403);
    assertThat(refusal.code().code()).isEqualTo("policy_denied");
    assertThat(refusal.error().reasons()).containsExactly("suspended");

    RagContext wiki =
        new RagContext("kb://internal/hr", List.of(new RagChunk("c1", "pay scales", null)));
    assertThat(policy.apply(request("acme", "contractor", wiki), 0))
        .isInstanceOf(StageDecision.Deny.class);
    assertThat(policy.apply(request("acme", "employee", wiki), 0))
        .isInstanceOf(StageDecision.Pass.class);
    assertThat(policy.apply(request("globex", "contractor", wiki), 0))
        .isInstanceOf(StageDecision.Pass.class);
  }

  @Test
  void aTenantMayBeLimitedToSomeProviders(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("default.yaml"), "providers:\n  allowed: [openai]\n");
    LocalPolicy policy = new LocalPolicy(PolicyBundle.load(dir));
    StageDecision decision = policy.apply(request("acme", "alice", null), 0);
    assertThat(((StageDecision.Deny) decision).refusal().error().reasons())
        .containsExactly("the model's provider is not allowed for this tenant");
  }
}

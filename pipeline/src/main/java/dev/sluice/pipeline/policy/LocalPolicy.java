package dev.sluice.pipeline.policy;

import dev.sluice.pipeline.stage.Refusal;
import dev.sluice.pipeline.stage.RequestStage;
import dev.sluice.pipeline.stage.StageDecision;
import dev.sluice.policy.DenyRule;
import dev.sluice.policy.PolicyBundle;
import dev.sluice.policy.TenantPolicy;
import dev.sluice.schemas.StageName;
import dev.sluice.schemas.chat.ChatRequest;
import dev.sluice.schemas.chat.RagChunk;
import dev.sluice.schemas.chat.RagContext;
import dev.sluice.schemas.envelope.VerifiedRequest;
import dev.sluice.schemas.reply.ErrorCode;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The policy stage in local mode: the tenant's denials from the policy bundle. A matching rule
 * refuses the request with 403 {@code policy_denied} and the rule's reason.
 */
public final class LocalPolicy implements RequestStage {
  public static final StageName STAGE = StageName.POLICY;

  private final PolicyBundle bundle;

  public LocalPolicy(PolicyBundle bundle) {
    this.bundle = Objects.requireNonNull(bundle, "bundle");
  }

  @Override
  public StageName name() {
    return STAGE;
  }

  @Override
  public StageDecision apply(VerifiedRequest request, long nowMs) {
    TenantPolicy tenant = bundle.forTenant(request.principal().tenant());
    if (!tenant.providerAllowed(request.request().model())) {
      return new StageDecision.Deny(
          Refusal.of(
              STAGE,
              ErrorCode.POLICY_DENIED,
              "the request is denied by policy",
              null,
              List.of("the model's provider is not allowed for this tenant")));
    }
    return tenant
        .denial(facts(request))
        .<StageDecision>map(
            rule ->
                new StageDecision.Deny(
                    Refusal.of(
                        STAGE,
                        ErrorCode.POLICY_DENIED,
                        "the request is denied by policy",
                        null,
                        List.of(rule.reason()))))
        .orElseGet(() -> new StageDecision.Pass(request));
  }

  /** What the rules look at: the resolved model, the subject, the token cap, context sources. */
  static DenyRule.Facts facts(VerifiedRequest request) {
    ChatRequest chat = request.request();
    List<String> sources = new ArrayList<>();
    RagContext context = chat.context();
    if (context != null) {
      for (RagChunk chunk : context.chunks()) {
        String source = context.sourceOf(chunk);
        if (source != null) {
          sources.add(source);
        }
      }
    }
    return new DenyRule.Facts(
        chat.model(), request.principal().subject(), chat.maxTokens(), sources);
  }
}

package dev.sluice.pipeline;

import dev.sluice.egress.ProviderRouter;
import dev.sluice.pipeline.auth.EnvelopeAuthenticator;
import dev.sluice.pipeline.provider.CallBudget;
import dev.sluice.pipeline.provider.ModelChains;
import dev.sluice.pipeline.stage.AnswerStage;
import dev.sluice.pipeline.stage.AsyncRequestCheck;
import dev.sluice.pipeline.stage.RequestStage;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Everything the topology wires, in ARCHITECTURE order: authentication, the request stages
 * (validation, context firewall, policy, rate limit), the provider call, and the answer stages
 * (redaction).
 *
 * @param drainInterval how often the stream thread collects provider answers when idle
 * @param policyMode {@code LOCAL} or {@code OPA}, recorded with every decision
 * @param policyVersion content hash of the policy bundle in force, or null without one
 * @param beforeCall a network check run before each provider call (OPA), or null
 * @param modelChains the models to try for each request: its own, then its fallbacks
 */
public record Stages(
    EnvelopeAuthenticator authenticator,
    List<RequestStage> requestStages,
    ProviderRouter providers,
    CallBudget callBudget,
    Duration drainInterval,
    List<AnswerStage> answerStages,
    String policyMode,
    String policyVersion,
    AsyncRequestCheck beforeCall,
    ModelChains modelChains) {

  public Stages {
    Objects.requireNonNull(authenticator, "authenticator");
    Objects.requireNonNull(providers, "providers");
    Objects.requireNonNull(callBudget, "callBudget");
    Objects.requireNonNull(drainInterval, "drainInterval");
    requestStages = List.copyOf(requestStages);
    answerStages = List.copyOf(answerStages);
    Objects.requireNonNull(policyMode, "policyMode");
    Objects.requireNonNull(modelChains, "modelChains");
  }

  /** Stages without fallback chains. */
  public Stages(
      EnvelopeAuthenticator authenticator,
      List<RequestStage> requestStages,
      ProviderRouter providers,
      CallBudget callBudget,
      Duration drainInterval,
      List<AnswerStage> answerStages,
      String policyMode,
      String policyVersion,
      AsyncRequestCheck beforeCall) {
    this(
        authenticator,
        requestStages,
        providers,
        callBudget,
        drainInterval,
        answerStages,
        policyMode,
        policyVersion,
        beforeCall,
        ModelChains.none());
  }

  /** Stages without a policy bundle (LOCAL mode, no version). */
  public Stages(
      EnvelopeAuthenticator authenticator,
      List<RequestStage> requestStages,
      ProviderRouter providers,
      CallBudget callBudget,
      Duration drainInterval,
      List<AnswerStage> answerStages) {
    this(
        authenticator,
        requestStages,
        providers,
        callBudget,
        drainInterval,
        answerStages,
        "LOCAL",
        null,
        null,
        ModelChains.none());
  }
}

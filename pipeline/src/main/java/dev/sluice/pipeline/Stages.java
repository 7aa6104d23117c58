package dev.sluice.pipeline;

import dev.sluice.pipeline.auth.EnvelopeAuthenticator;
import dev.sluice.pipeline.chain.AsyncStage;
import dev.sluice.pipeline.chain.CallBudget;
import dev.sluice.pipeline.chain.Stage;
import dev.sluice.schemas.StageName;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Everything the topology wires: the envelope's authentication, then one chain of stages in
 * ARCHITECTURE order (validate, context firewall, policy, rate limit, provider call, redaction),
 * each synchronous or asynchronous, and the labels every audit record carries.
 *
 * @param chain the stages after authentication, in the order they run
 * @param callBudget how many requests may wait on asynchronous stages, and for how long
 * @param drainInterval how often the stream thread collects asynchronous answers when idle
 * @param policyMode {@code LOCAL} or {@code OPA}, recorded with every decision
 * @param policyVersion content hash of the policy bundle in force; empty without a bundle
 */
public record Stages(
    EnvelopeAuthenticator authenticator,
    List<Stage> chain,
    CallBudget callBudget,
    Duration drainInterval,
    String policyMode,
    Optional<String> policyVersion) {

  public Stages {
    Objects.requireNonNull(authenticator, "authenticator");
    chain = List.copyOf(chain);
    Objects.requireNonNull(callBudget, "callBudget");
    Objects.requireNonNull(drainInterval, "drainInterval");
    Objects.requireNonNull(policyMode, "policyMode");
    Objects.requireNonNull(policyVersion, "policyVersion");
    // The in-flight store keys a waiting request by its stage's name: two must not share one.
    Set<StageName> waitingNames = new HashSet<>();
    boolean answers = false;
    for (Stage stage : chain) {
      if (stage instanceof AsyncStage<?> && !waitingNames.add(stage.name())) {
        throw new IllegalArgumentException("two asynchronous stages named " + stage.name());
      }
      answers |= stage.name() == StageName.PROVIDER;
    }
    if (!answers) {
      throw new IllegalArgumentException("the stage chain has no provider stage");
    }
  }
}

package dev.sluice.pipeline.stage;

import dev.sluice.schemas.envelope.VerifiedRequest;
import java.util.Objects;

/** What a request stage decided: go on (possibly with a changed request) or stop here. */
public sealed interface StageDecision permits StageDecision.Pass, StageDecision.Deny {

  /** Continue with {@code request}. */
  record Pass(VerifiedRequest request) implements StageDecision {
    public Pass {
      Objects.requireNonNull(request, "request");
    }
  }

  /** End the request with {@code refusal}. */
  record Deny(Refusal refusal) implements StageDecision {
    public Deny {
      Objects.requireNonNull(refusal, "refusal");
    }
  }
}

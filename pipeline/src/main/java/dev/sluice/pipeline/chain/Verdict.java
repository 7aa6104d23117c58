package dev.sluice.pipeline.chain;

import dev.sluice.pipeline.stage.Refusal;
import java.util.Objects;

/** What a stage of the chain decided: go on with the next stage, or end the request here. */
public sealed interface Verdict permits Verdict.Next, Verdict.Stop {

  static Verdict next(Exchange exchange) {
    return new Next(exchange);
  }

  static Verdict stop(Refusal refusal) {
    return new Stop(refusal);
  }

  /** Continue with {@code exchange}, possibly changed by the stage. */
  record Next(Exchange exchange) implements Verdict {
    public Next {
      Objects.requireNonNull(exchange, "exchange");
    }
  }

  /** End the request with {@code refusal}. */
  record Stop(Refusal refusal) implements Verdict {
    public Stop {
      Objects.requireNonNull(refusal, "refusal");
    }
  }
}

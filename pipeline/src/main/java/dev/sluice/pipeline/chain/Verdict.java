package dev.sluice.pipeline.chain;

import dev.sluice.pipeline.stage.Refusal;
import java.util.Objects;

/**
 * What a stage of the chain decided: go on with the next stage, end the request here, or hold it
 * and run this stage again later.
 */
public sealed interface Verdict permits Verdict.Next, Verdict.Stop, Verdict.Hold {

  static Verdict next(Exchange exchange) {
    return new Next(exchange);
  }

  static Verdict hold(long untilMs) {
    return new Hold(untilMs);
  }

  static Verdict stop(Refusal refusal) {
    return new Stop(refusal, null);
  }

  /** End the request with {@code refusal}, settling it as {@code exchange} now stands. */
  static Verdict stop(Refusal refusal, Exchange exchange) {
    return new Stop(refusal, exchange);
  }

  /** Continue with {@code exchange}, possibly changed by the stage. */
  record Next(Exchange exchange) implements Verdict {
    public Next {
      Objects.requireNonNull(exchange, "exchange");
    }
  }

  /**
   * End the request with {@code refusal}.
   *
   * @param exchange the request as the stage leaves it (what settling it needs, such as the
   *     rate-limit decision), or null when the stage did not change it
   */
  record Stop(Refusal refusal, Exchange exchange) implements Verdict {
    public Stop {
      Objects.requireNonNull(refusal, "refusal");
    }

    public Stop(Refusal refusal) {
      this(refusal, null);
    }
  }

  /**
   * Hold the request and run the same stage again at {@code untilMs}, by the stream's clock (batch
   * traffic over its rate limit): the chain keeps it in the in-flight store, off the stream
   * thread's way and outside the budget of calls in flight, so interactive requests never wait for
   * it. The stage decides when a request has been held long enough ({@link Exchange#heldMs}).
   */
  record Hold(long untilMs) implements Verdict {}
}

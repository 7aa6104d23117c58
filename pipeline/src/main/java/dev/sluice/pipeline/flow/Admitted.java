package dev.sluice.pipeline.flow;

import dev.sluice.schemas.envelope.VerifiedRequest;
import java.util.Map;

/** A request every guardrail before the provider let through. */
public record Admitted(VerifiedRequest request, Map<String, Double> timings) implements Step {
  public Admitted {
    timings = Map.copyOf(timings);
  }

  @Override
  public String requestId() {
    return request.requestId();
  }
}

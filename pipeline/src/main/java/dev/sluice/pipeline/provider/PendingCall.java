package dev.sluice.pipeline.provider;

import dev.sluice.schemas.envelope.VerifiedRequest;
import java.util.Map;
import java.util.Objects;

/**
 * A provider call in flight, as kept in the changelogged {@code pending-calls} store so a restarted
 * pipeline can issue it again. Holds the verified request (never the credential).
 *
 * @param timings stage timings so far
 * @param startedAtMs when the first attempt started
 */
public record PendingCall(VerifiedRequest request, Map<String, Double> timings, long startedAtMs) {
  public PendingCall {
    Objects.requireNonNull(request, "request");
    timings = timings == null ? Map.of() : Map.copyOf(timings);
  }
}

package dev.sluice.pipeline.stage;

import dev.sluice.schemas.envelope.VerifiedRequest;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A check that needs the network (OPA): it runs on the provider stage's non-blocking path, just
 * before the provider call, never on a stream thread. Its answer completes on its own threads.
 */
public interface AsyncRequestCheck {

  /** Empty to go on; a refusal to end the request. Never completes exceptionally. */
  CompletableFuture<Optional<Refusal>> decide(VerifiedRequest request);
}

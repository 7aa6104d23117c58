package dev.sluice.pipeline.flow;

import dev.sluice.schemas.deadletter.DeadLetter;
import java.util.Objects;

/**
 * An envelope that cannot be answered (no usable reply address or id); it goes to dead letters with
 * where it was read from, never with its payload.
 */
public record Undeliverable(DeadLetter letter) implements Step {
  public Undeliverable {
    Objects.requireNonNull(letter, "letter");
  }

  @Override
  public String requestId() {
    return letter.requestId();
  }
}

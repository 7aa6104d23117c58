package dev.sluice.pipeline.stage;

import java.util.Objects;

/** Carries an asynchronous check's refusal through a call's future to the provider stage. */
public final class StageRefusedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient Refusal refusal;

  public StageRefusedException(Refusal refusal) {
    super(Objects.requireNonNull(refusal, "refusal").code().code(), null, false, false);
    this.refusal = refusal;
  }

  public Refusal refusal() {
    return refusal;
  }
}

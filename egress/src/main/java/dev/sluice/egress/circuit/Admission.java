package dev.sluice.egress.circuit;

import java.util.Objects;

/** The circuit's answer to a call that wants to reach the provider. */
public sealed interface Admission permits Admission.Granted, Admission.Rejected {

  /** The call may go through; it must report its outcome on the permit. */
  record Granted(Permit permit) implements Admission {
    public Granted {
      Objects.requireNonNull(permit, "permit");
    }
  }

  /**
   * The circuit is open, or half-open with its probe already out: the call must not reach the
   * provider.
   *
   * @param retryAfterSeconds when a caller may try again, at least 1
   */
  record Rejected(int retryAfterSeconds) implements Admission {
    public Rejected {
      if (retryAfterSeconds < 1) {
        throw new IllegalArgumentException("retryAfterSeconds must be >= 1");
      }
    }
  }
}

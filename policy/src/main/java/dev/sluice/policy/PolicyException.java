package dev.sluice.policy;

/** A policy bundle that cannot be used; the message names the file and what is wrong in it. */
public final class PolicyException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public PolicyException(String message) {
    super(message);
  }
}

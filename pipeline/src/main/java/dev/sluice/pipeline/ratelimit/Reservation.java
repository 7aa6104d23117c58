package dev.sluice.pipeline.ratelimit;

/**
 * Tokens a request has reserved and not yet settled; it also holds one concurrency slot.
 *
 * @param tokens the tokens counted at reservation (prompt plus the completion cap)
 * @param atMs when they were counted: the TPM sub-bucket and the UTC day a settlement corrects
 */
public record Reservation(long tokens, long atMs) {
  public Reservation {
    if (tokens < 0) {
      throw new IllegalArgumentException("reserved tokens cannot be negative: " + tokens);
    }
  }
}

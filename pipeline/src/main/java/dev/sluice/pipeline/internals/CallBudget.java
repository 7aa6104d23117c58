package dev.sluice.pipeline.internals;

/**
 * Limits of the provider stage.
 *
 * @param maxInFlight calls one stream task may have open before it waits ({@code MAX_IN_FLIGHT})
 * @param maxWaitMs how long the stage waits for a free slot before taking the record anyway; kept
 *     well under {@code max.poll.interval.ms} so a slow provider never gets the thread evicted
 * @param deadlineMs how long after the broker accepted a request its answer is still wanted
 */
public record CallBudget(int maxInFlight, long maxWaitMs, long deadlineMs) {
  public CallBudget {
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("MAX_IN_FLIGHT must be >= 1");
    }
    if (maxWaitMs < 0 || deadlineMs < 1) {
      throw new IllegalArgumentException("call waits and deadlines must be positive");
    }
  }
}

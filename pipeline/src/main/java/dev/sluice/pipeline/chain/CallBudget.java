package dev.sluice.pipeline.chain;

/**
 * Limits of the asynchronous stages (provider calls, OPA): how many may be open, how long a full
 * task waits for one to finish, and how long a request is worth answering.
 *
 * @param maxInFlight calls one stream task may have open before it waits ({@code MAX_IN_FLIGHT});
 *     the pipeline's ceiling is this times the number of tasks
 * @param maxWaitMs how long the stage waits for a free slot before taking the record anyway; kept
 *     well under {@code max.poll.interval.ms} so a slow provider never gets the thread evicted
 * @param deadlineMs how long after the broker accepted a request its answer is still wanted
 * @param keepAnsweredMs how long an answered call stays in the in-flight store: long enough for a
 *     commit (which flushes the producer) to have made its reply durable
 */
public record CallBudget(int maxInFlight, long maxWaitMs, long deadlineMs, long keepAnsweredMs) {
  /** Two commits at the default interval, and a second to spare. */
  public static final long DEFAULT_KEEP_ANSWERED_MS = 3_000;

  public CallBudget {
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("MAX_IN_FLIGHT must be >= 1");
    }
    if (maxWaitMs < 0 || deadlineMs < 1 || keepAnsweredMs < 0) {
      throw new IllegalArgumentException("call waits and deadlines must be positive");
    }
  }

  public CallBudget(int maxInFlight, long maxWaitMs, long deadlineMs) {
    this(maxInFlight, maxWaitMs, deadlineMs, DEFAULT_KEEP_ANSWERED_MS);
  }
}

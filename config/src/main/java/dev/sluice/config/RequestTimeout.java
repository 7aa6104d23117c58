package dev.sluice.config;

/**
 * How long a synchronous caller waits ({@code REQUEST_TIMEOUT_MS}), and what that leaves the
 * provider: one second less, so its answer, or its timeout, reaches the caller before the caller
 * gives up. Ingress and pipeline read the same variable through this one rule.
 */
public record RequestTimeout(long callerWaitMs) {
  public static final long DEFAULT_MS = 60_000;
  public static final long MINIMUM_MS = 2_000;
  private static final long REPLY_MARGIN_MS = 1_000;

  public RequestTimeout {
    if (callerWaitMs < MINIMUM_MS) {
      throw new ConfigException("REQUEST_TIMEOUT_MS must be at least " + MINIMUM_MS);
    }
  }

  public static RequestTimeout from(Env env) {
    return new RequestTimeout(env.getLong("REQUEST_TIMEOUT_MS", DEFAULT_MS));
  }

  /** How long after the broker accepted a request the provider may still answer. */
  public long providerDeadlineMs() {
    return callerWaitMs - REPLY_MARGIN_MS;
  }
}

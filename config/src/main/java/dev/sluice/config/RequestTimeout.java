package dev.sluice.config;

/**
 * How long a synchronous caller waits ({@code REQUEST_TIMEOUT_MS}), and what that leaves the
 * provider ({@code PROVIDER_DEADLINE_MS}): by default and at most one second less, so its answer,
 * or its timeout, reaches the caller before the caller gives up. Ingress and pipeline read the same
 * variables through this one rule.
 *
 * @param callerWaitMs how long the ingress holds a caller's HTTP request
 * @param providerDeadlineMs how long after the broker accepted a request the provider may still
 *     answer, retries and fallbacks included
 */
public record RequestTimeout(long callerWaitMs, long providerDeadlineMs) {
  public static final long DEFAULT_MS = 60_000;
  public static final long MINIMUM_MS = 2_000;
  private static final long REPLY_MARGIN_MS = 1_000;

  public RequestTimeout {
    if (callerWaitMs < MINIMUM_MS) {
      throw new ConfigException("REQUEST_TIMEOUT_MS must be at least " + MINIMUM_MS);
    }
    long most = callerWaitMs - REPLY_MARGIN_MS;
    if (providerDeadlineMs < 1 || providerDeadlineMs > most) {
      throw new ConfigException(
          "PROVIDER_DEADLINE_MS must be from 1 to REQUEST_TIMEOUT_MS - 1000 (" + most + ")");
    }
  }

  /** The provider gets all the time the caller waits, less the reply margin. */
  public RequestTimeout(long callerWaitMs) {
    this(callerWaitMs, callerWaitMs - REPLY_MARGIN_MS);
  }

  public static RequestTimeout from(Env env) {
    long wait = env.getLong("REQUEST_TIMEOUT_MS", DEFAULT_MS);
    if (wait < MINIMUM_MS) {
      throw new ConfigException("REQUEST_TIMEOUT_MS must be at least " + MINIMUM_MS);
    }
    return new RequestTimeout(wait, env.getLong("PROVIDER_DEADLINE_MS", wait - REPLY_MARGIN_MS));
  }
}

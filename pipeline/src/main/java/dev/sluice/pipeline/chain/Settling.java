package dev.sluice.pipeline.chain;

/**
 * A stage that must hear how each request ended, whichever stage ended it: the rate limiter settles
 * a reservation with the tokens really used, or gives it back when the call was refused, failed or
 * timed out.
 */
public interface Settling {

  /**
   * Called once per settled request, on the stream thread, before its reply is forwarded; must not
   * block (a network call is started, not awaited).
   *
   * @return the exchange as the reply and the audit record are to show it
   */
  Exchange settled(Exchange exchange, long nowMs);
}

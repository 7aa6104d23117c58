package dev.sluice.pipeline.chain;

/** A stage that runs on the stream thread: pure, fast, no I/O. */
public non-sealed interface SyncStage extends Stage {

  /**
   * @param nowMs the stream's wall-clock time (which the topology test driver can move)
   */
  Verdict run(Exchange exchange, long nowMs);
}

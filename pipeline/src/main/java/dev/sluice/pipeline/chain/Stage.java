package dev.sluice.pipeline.chain;

import dev.sluice.schemas.StageName;

/**
 * One link of the pipeline's stage chain. The chain runs its stages in ARCHITECTURE order on the
 * stream thread: a {@link SyncStage} is a pure function run in place; an {@link AsyncStage} starts
 * network I/O off the stream thread, and the chain resumes with the next stage only once the result
 * is back on the stream thread. While an asynchronous stage is open the request sits in the
 * changelogged in-flight store, so a crash or rebalance re-runs that stage, never a later one.
 */
public sealed interface Stage permits SyncStage, AsyncStage {

  /** The stage's name in replies, audit records, Server-Timing and metrics. */
  StageName name();
}

package dev.sluice.pipeline.chain;

/**
 * A stage that batches its writes to its task's stores: the chain calls {@link #flush} at the start
 * of every commit of its task, before the input offsets are committed (through {@link CommitHook};
 * a chain wired without the hook, in a test's processor context, calls it at the end of every
 * record and punctuation instead). What a record changed is so in the changelog before its offset
 * is committed, and a busy tenant's ledger is written once per commit however many records touched
 * it.
 */
public interface Flushing {

  /** Writes what changed since the last flush; on the stream thread. */
  void flush();
}

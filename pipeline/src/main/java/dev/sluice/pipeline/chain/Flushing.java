package dev.sluice.pipeline.chain;

/**
 * A stage that batches its writes to its task's stores: the chain calls {@link #flush} at the end
 * of every record and every punctuation, before the stream thread can commit, so what a record
 * changed is in the changelog before its offset is committed, and a busy tenant's ledger is written
 * once per record however many times the record touched it.
 */
public interface Flushing {

  /** Writes what changed since the last flush; on the stream thread. */
  void flush();
}

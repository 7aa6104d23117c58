package dev.sluice.pipeline.chain;

import java.util.Map;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.internals.CacheFlushListener;
import org.apache.kafka.streams.state.internals.CachedStateStore;

/**
 * A store that holds nothing and tells its task's stage chain that the task is about to commit, so
 * that the chain writes its open requests to the in-flight store only when a commit could otherwise
 * cover them: most waits (a Redis reservation, a millisecond) end before the next commit and then
 * never touch the store or its changelog.
 *
 * <p>Why this is safe: Kafka Streams flushes every cached store of a task ({@link
 * CachedStateStore#flushCache}) at the start of each commit of that task, before it flushes the
 * producer and commits the input offsets; every commit of a task goes that way (the commit
 * interval, a commit a processor asked for, a rebalance's, a clean close's). So a request whose
 * record's offset is committed was written, with its changelog record sent ahead of the offsets. A
 * request that ends before any commit was never covered by one: after a crash its record is read
 * again. {@code CachedStateStore} is an internal interface of Kafka Streams (4.4 here, pinned in
 * the parent POM); {@code StageChainCommitTest} fails if a commit stops reaching it.
 */
public final class CommitHook implements StateStore, CachedStateStore<Void, Void> {
  /** Suffix of each request topic's hook: {@code http-commit-hook}. */
  public static final String SUFFIX = "-commit-hook";

  private final String name;
  private volatile boolean open;
  private Runnable beforeCommit = () -> {};

  CommitHook(String name) {
    this.name = name;
  }

  /** The hook's builder: no changelog, no cache of its own, nothing kept. */
  public static StoreBuilder<CommitHook> builder(String name) {
    return new Builder(name);
  }

  /** What the task's chain runs at the start of each commit; the stream thread runs it. */
  void beforeCommit(Runnable action) {
    this.beforeCommit = action;
  }

  @Override
  public void flushCache() {
    beforeCommit.run();
  }

  @Override
  public boolean setFlushListener(CacheFlushListener<Void, Void> listener, boolean sendOldValues) {
    return false;
  }

  @Override
  public void clearCache() {
    // Nothing is cached: the chain's open requests are its own, cleared when it closes.
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public void init(StateStoreContext context, StateStore root) {
    // Nothing to restore; Streams still wants every store registered.
    context.register(root, (key, value) -> {});
    open = true;
  }

  @Override
  public void flush() {
    // Nothing kept.
  }

  @Override
  public void close() {
    open = false;
    beforeCommit = () -> {};
  }

  @Override
  public boolean persistent() {
    return false;
  }

  @Override
  public boolean isOpen() {
    return open;
  }

  private record Builder(String name) implements StoreBuilder<CommitHook> {
    @Override
    public StoreBuilder<CommitHook> withCachingEnabled() {
      return this;
    }

    @Override
    public StoreBuilder<CommitHook> withCachingDisabled() {
      return this;
    }

    @Override
    public StoreBuilder<CommitHook> withLoggingEnabled(Map<String, String> config) {
      throw new UnsupportedOperationException("the commit hook has no changelog");
    }

    @Override
    public StoreBuilder<CommitHook> withLoggingDisabled() {
      return this;
    }

    @Override
    public CommitHook build() {
      return new CommitHook(name);
    }

    @Override
    public Map<String, String> logConfig() {
      return Map.of();
    }

    @Override
    public boolean loggingEnabled() {
      return false;
    }
  }
}

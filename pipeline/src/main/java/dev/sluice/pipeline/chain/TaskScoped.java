package dev.sluice.pipeline.chain;

import java.util.List;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * A stage with state of its own in every stream task: the rate limiter's ledgers, kept in a
 * changelogged store of the task that owns the tenant. The topology adds its {@link #stores} to
 * each sub-topology, and each task's chain works with {@link #forTask}, the stage bound to that
 * task's stores; the stage in {@link dev.sluice.pipeline.Stages} itself is only the template.
 */
public interface TaskScoped {

  /**
   * The stores the stage keeps in the sub-topology whose names start with {@code prefix} ({@code
   * http}, {@code batch}); empty when its state lives elsewhere (Redis).
   */
  List<StoreBuilder<?>> stores(String prefix);

  /** The stage bound to one task's stores; from the chain's {@code init}, on the stream thread. */
  Stage forTask(String prefix, ProcessorContext<?, ?> context);
}

package dev.sluice.pipeline.chain;

import dev.sluice.topics.JsonSerde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/** The in-flight store as a test's processor context holds it: in memory, no changelog. */
public final class PendingStores {
  private PendingStores() {}

  /** A store named {@code name}, initialised and added to {@code context}. */
  public static KeyValueStore<String, PendingCall> inMemory(
      MockProcessorContext<?, ?> context, String name) {
    KeyValueStore<String, PendingCall> store =
        Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(name),
                Serdes.String(),
                JsonSerde.of(PendingCall.class))
            .withLoggingDisabled()
            .build();
    store.init(context.getStateStoreContext(), store);
    context.addStateStore(store);
    return store;
  }
}

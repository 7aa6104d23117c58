package dev.sluice.pipeline.audit;

import dev.sluice.topics.Topics;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.Stores;

/**
 * The audit application: {@code llm.audit.decisions} ─▶ chain ─▶ {@code llm.audit}. It runs apart
 * from the request path, exactly-once, so the synchronous path never pays for the transaction.
 */
public final class AuditTopology {
  private AuditTopology() {}

  public static Topology build(StreamsBuilder builder, String applicationId) {
    builder.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(AuditChainer.STORE), Serdes.String(), Serdes.String()));
    builder.stream(
            Topics.AUDIT_DECISIONS.name(),
            Consumed.with(Topics.AUDIT_DECISIONS.keySerde(), Topics.AUDIT_DECISIONS.valueSerde())
                .withName("audit-decisions"))
        .process(() -> new AuditChainer(applicationId), Named.as("audit-chain"), AuditChainer.STORE)
        .to(
            Topics.AUDIT.name(),
            Produced.with(Topics.AUDIT.keySerde(), Topics.AUDIT.valueSerde())
                .withName("audit-log"));
    return builder.build();
  }
}

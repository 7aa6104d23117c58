package dev.sluice.pipeline;

import dev.sluice.pipeline.admission.Admission;
import dev.sluice.pipeline.audit.AuditDecisions;
import dev.sluice.pipeline.chain.CommitHook;
import dev.sluice.pipeline.chain.PendingCall;
import dev.sluice.pipeline.chain.Stage;
import dev.sluice.pipeline.chain.StageChain;
import dev.sluice.pipeline.chain.TaskScoped;
import dev.sluice.pipeline.flow.Admitted;
import dev.sluice.pipeline.flow.Settled;
import dev.sluice.pipeline.flow.Step;
import dev.sluice.pipeline.flow.Undeliverable;
import dev.sluice.pipeline.idempotency.Idempotency;
import dev.sluice.pipeline.idempotency.IdempotencyGate;
import dev.sluice.pipeline.idempotency.IdempotencyRecorder;
import dev.sluice.pipeline.reply.ReplyAddress;
import dev.sluice.pipeline.reply.ReplyKeeper;
import dev.sluice.pipeline.reply.ReplyShaper;
import dev.sluice.pipeline.reply.ReplyStore;
import dev.sluice.schemas.audit.AuditRecord;
import dev.sluice.schemas.envelope.RequestEnvelope;
import dev.sluice.schemas.envelope.Source;
import dev.sluice.topics.JsonSerde;
import dev.sluice.topics.Topic;
import dev.sluice.topics.Topics;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * Builds the gateway's topology. Per request topic:
 *
 * <pre>
 * source ─▶ admission (address ▶ authenticate ▶ shape) ─┬─▶ stages (the chain) ─┐
 *                                                       ├─ refused ─────────────┴▶ reply ▶ keep ▶ replyTo
 *                                                       │                           └▶ audit decisions
 *                                                       └─ undeliverable ──────────▶ dead letters
 * </pre>
 *
 * The chain ({@link StageChain}) runs every stage after authentication in order, synchronous ones
 * in place and asynchronous ones off the stream thread, with the in-flight store between them.
 * Every reply is kept in the sub-topology's reply store ({@link ReplyStore}) on its way out.
 *
 * <p>Operators, stores and changelogs are named: their names are part of the deployed contract, and
 * renaming a store loses its state.
 */
public final class GatewayTopology {
  private GatewayTopology() {}

  /**
   * Changelog configs of the in-flight store. It holds prompts, and a restarted pipeline replays
   * all of it into memory, so it is compacted within minutes and nothing in it outlives an hour: an
   * entry lives at most as long as a caller waits.
   */
  static final Map<String, String> PENDING_CHANGELOG_CONFIGS =
      Map.of(
          "cleanup.policy", "compact,delete",
          "retention.ms", Long.toString(60L * 60 * 1000),
          "segment.ms", Long.toString(60L * 1000),
          "segment.bytes", Integer.toString(16 * 1024 * 1024),
          "min.cleanable.dirty.ratio", "0.1",
          "delete.retention.ms", Long.toString(60L * 1000),
          "max.message.bytes", Integer.toString(Topics.MAX_MESSAGE_BYTES));

  /**
   * The batch sub-topology's in-flight store also holds batch requests waiting for their rate
   * limit, which may wait up to a day (a batch's completion window): its changelog keeps them that
   * long and a little more.
   */
  static final Map<String, String> BATCH_PENDING_CHANGELOG_CONFIGS =
      withRetention(PENDING_CHANGELOG_CONFIGS, 25L * 60 * 60 * 1000);

  /** The prefixes of the two request sub-topologies' operators and stores. */
  public static final String HTTP = "http";

  public static final String BATCH = "batch";

  /** Both, interactive first: the order in which a reply is looked up. */
  public static final List<String> SUB_TOPOLOGIES = List.of(HTTP, BATCH);

  public static Topology build(StreamsBuilder builder, Stages stages) {
    Predicate<String> replyTopicAllowed = Topics.REPLIES.name()::equals;
    wire(
        builder,
        stages,
        Topics.REQUESTS,
        Source.HTTP,
        HTTP,
        replyTopicAllowed,
        PENDING_CHANGELOG_CONFIGS);
    wire(
        builder,
        stages,
        Topics.BATCH_REQUESTS,
        Source.BATCH,
        BATCH,
        replyTopicAllowed,
        BATCH_PENDING_CHANGELOG_CONFIGS);
    return builder.build();
  }

  private static Map<String, String> withRetention(Map<String, String> configs, long retentionMs) {
    Map<String, String> changed = new HashMap<>(configs);
    changed.put("retention.ms", Long.toString(retentionMs));
    return Map.copyOf(changed);
  }

  private static void wire(
      StreamsBuilder builder,
      Stages stages,
      Topic<String, RequestEnvelope> topic,
      Source source,
      String prefix,
      Predicate<String> replyTopicAllowed,
      Map<String, String> pendingChangelogConfigs) {
    // Each request topic is its own sub-topology with its own in-flight store and budget.
    String store = prefix + StageChain.STORE_SUFFIX;
    builder.addStateStore(
        Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(store),
                Serdes.String(),
                JsonSerde.of(PendingCall.class))
            .withLoggingEnabled(pendingChangelogConfigs));
    // Tells the chain when its task is about to commit, so it writes open requests only then.
    String hook = prefix + CommitHook.SUFFIX;
    builder.addStateStore(CommitHook.builder(hook));
    // Stages with state of their own per task (the rate limiter's ledgers) bring their stores.
    List<String> storeNames = new ArrayList<>(List.of(store, hook));
    for (Stage stage : stages.chain()) {
      if (stage instanceof TaskScoped scoped) {
        for (StoreBuilder<?> stageStore : scoped.stores(prefix)) {
          builder.addStateStore(stageStore);
          storeNames.add(stageStore.name());
        }
      }
    }

    KStream<String, Step> admitted =
        builder.stream(
                topic.name(),
                Consumed.with(topic.keySerde(), topic.valueSerde()).withName(prefix + "-requests"))
            .process(
                () ->
                    new Admission(
                        prefix + "-admission", stages.authenticator(), source, replyTopicAllowed),
                Named.as(prefix + "-admission"));

    Map<String, KStream<String, Step>> branches =
        admitted
            .split(Named.as(prefix + "-"))
            .branch((id, step) -> step instanceof Admitted, Branched.as("admitted"))
            .branch((id, step) -> step instanceof Settled, Branched.as("refused"))
            .defaultBranch(Branched.as("undeliverable"));

    // Every reply, kept by request id for fetches from any ingress and for idempotent repeats.
    String replies = prefix + ReplyStore.STORE_SUFFIX;
    builder.addStateStore(ReplyStore.store(prefix));

    KStream<String, Step> toStages = branches.get(prefix + "-admitted");
    KStream<String, Step> repeated = null;
    String keys = prefix + Idempotency.STORE_SUFFIX;
    if (source == Source.HTTP) {
      // Idempotency-Key: a repeat is answered from the first call, before any stage runs.
      builder.addStateStore(Idempotency.store(prefix));
      Map<String, KStream<String, Step>> gated =
          toStages
              .process(
                  () -> new IdempotencyGate(keys, replies),
                  Named.as(prefix + "-idempotency"),
                  keys,
                  replies)
              .split(Named.as(prefix + "-idempotency-"))
              .branch((id, step) -> step instanceof Admitted, Branched.as("first"))
              .defaultBranch(Branched.as("repeat"));
      toStages = gated.get(prefix + "-idempotency-first");
      repeated = gated.get(prefix + "-idempotency-repeat");
    }

    KStream<String, Step> answered =
        toStages
            .mapValues(step -> (Admitted) step, Named.as(prefix + "-to-stages"))
            .process(
                () ->
                    new StageChain(
                        store, stages.chain(), stages.callBudget(), stages.drainInterval()),
                Named.as(prefix + "-stages"),
                storeNames.toArray(String[]::new));

    KStream<String, Step> decided =
        answered.merge(branches.get(prefix + "-refused"), Named.as(prefix + "-settled"));
    if (repeated != null) {
      decided =
          decided
              .merge(repeated, Named.as(prefix + "-repeats"))
              .process(
                  () -> new IdempotencyRecorder(keys),
                  Named.as(prefix + "-idempotency-record"),
                  keys);
    }
    KStream<String, Settled> shaped =
        decided.process(ReplyShaper::new, Named.as(prefix + "-reply"));

    ReplyAddress address = new ReplyAddress(Topics.REPLIES.name());
    shaped
        .process(() -> new ReplyKeeper(replies), Named.as(prefix + "-reply-keep"), replies)
        .to(
            address,
            Produced.with(Topics.REPLIES.keySerde(), Serdes.ByteArray())
                .withStreamPartitioner(address)
                .withName(prefix + "-replies"));

    // Every settled request leaves a decision for the audit log, chained by the audit application.
    shaped
        .map(
            (requestId, settled) -> {
              AuditRecord decision =
                  AuditDecisions.of(
                      settled,
                      stages.policyMode(),
                      stages.policyVersion().orElse(null),
                      System.currentTimeMillis());
              return KeyValue.pair(AuditDecisions.key(decision), decision);
            },
            Named.as(prefix + "-audit-decision"))
        .to(
            Topics.AUDIT_DECISIONS.name(),
            Produced.with(Topics.AUDIT_DECISIONS.keySerde(), Topics.AUDIT_DECISIONS.valueSerde())
                .withName(prefix + "-audit-decisions"));

    branches
        .get(prefix + "-undeliverable")
        .mapValues(
            step -> ((Undeliverable) step).letter(), Named.as(prefix + "-undeliverable-reason"))
        .to(
            Topics.DEAD_LETTERS.name(),
            Produced.with(Topics.DEAD_LETTERS.keySerde(), Topics.DEAD_LETTERS.valueSerde())
                .withName(prefix + "-dead-letters"));
  }
}

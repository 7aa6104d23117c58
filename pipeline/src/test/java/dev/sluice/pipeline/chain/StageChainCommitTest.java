package dev.sluice.pipeline.chain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.egress.ProviderRouter;
import dev.sluice.pipeline.ManualProvider;
import dev.sluice.pipeline.flow.Admitted;
import dev.sluice.pipeline.flow.Settled;
import dev.sluice.pipeline.flow.Step;
import dev.sluice.pipeline.provider.ModelChains;
import dev.sluice.pipeline.provider.ProviderStage;
import dev.sluice.schemas.RequestIds;
import dev.sluice.schemas.StageName;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * When the chain writes an open request to the in-flight store: at the start of its task's next
 * commit ({@link CommitHook}), so that a wait ending before it never touches the store, and a
 * request a commit may have covered stays until its reply is surely durable. The last test shows
 * that a Kafka Streams commit reaches the hook at all, which is what makes this safe.
 */
class StageChainCommitTest {
  private static final String STORE = "http" + StageChain.STORE_SUFFIX;
  private static final String HOOK = "http" + CommitHook.SUFFIX;
  private static final long NOW = 1_900_000_000_000L;

  private final ManualProvider manual = new ManualProvider();
  private MockProcessorContext<String, Step> context;
  private KeyValueStore<String, PendingCall> store;
  private CommitHook hook;
  private StageChain chain;

  @BeforeEach
  void setUp() {
    context = new MockProcessorContext<>();
    context.setCurrentSystemTimeMs(NOW);
    store = PendingStores.inMemory(context, STORE);
    hook = CommitHook.builder(HOOK).build();
    hook.init(context.getStateStoreContext(), hook);
    context.addStateStore(hook);
    chain =
        new StageChain(
            STORE,
            List.of(new ProviderStage(new ProviderRouter(List.of(manual)), ModelChains.none())),
            new CallBudget(8, 10, 59_000),
            Duration.ofMillis(5));
    chain.init(context);
  }

  @Test
  void aWaitThatEndsBeforeTheNextCommitNeverTouchesTheStore() {
    String id = submit();
    assertThat(store.get(id)).as("not written while no commit could cover it").isNull();

    manual.call(0).answer("hello");
    drain();

    assertThat(replies()).containsOnlyKeys(id);
    hook.flushCache();
    assertThat(store.approximateNumEntries()).isZero();
    context.setCurrentSystemTimeMs(NOW + CallBudget.DEFAULT_KEEP_ANSWERED_MS);
    drain();
    assertThat(store.approximateNumEntries()).isZero();
  }

  @Test
  void aCommitWritesEveryOpenRequestAndItStaysUntilItsReplyIsDurable() {
    String first = submit();
    String second = submit();

    hook.flushCache();

    assertThat(store.get(first)).isNotNull();
    assertThat(store.get(second).stage()).isEqualTo(StageName.PROVIDER);
    manual.call(0).answer("one");
    manual.call(1).answer("two");
    drain();
    assertThat(replies()).containsOnlyKeys(first, second);
    assertThat(store.get(first)).as("a commit may have covered its record").isNotNull();
    context.setCurrentSystemTimeMs(NOW + CallBudget.DEFAULT_KEEP_ANSWERED_MS);
    drain();
    assertThat(store.approximateNumEntries()).isZero();
  }

  @Test
  void aRequestStillOpenAtACrashIsInTheStoreOnlyIfACommitCameFirst() {
    String committed = submit();
    hook.flushCache();
    String uncommitted = submit();

    // A crash: no commit after the second record, so its offset is not committed either.
    chain.close();

    assertThat(store.get(committed)).isNotNull();
    assertThat(store.get(uncommitted)).as("read again from the request topic").isNull();
  }

  @Test
  void aStreamsCommitReachesTheHookBeforeItCommits() {
    AtomicInteger commits = new AtomicInteger();
    Topology topology = new Topology();
    topology.addSource("in", new StringDeserializer(), new StringDeserializer(), "in");
    topology.addProcessor(
        "hooked",
        () ->
            new Processor<String, String, Void, Void>() {
              @Override
              public void init(ProcessorContext<Void, Void> context) {
                CommitHook hook = context.getStateStore(HOOK);
                hook.beforeCommit(commits::incrementAndGet);
              }

              @Override
              public void process(Record<String, String> record) {}
            },
        "in");
    topology.addStateStore(CommitHook.builder(HOOK), "hooked");
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "commit-hook-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    try (TopologyTestDriver driver = new TopologyTestDriver(topology, props)) {
      var in = driver.createInputTopic("in", new StringSerializer(), new StringSerializer());
      int before = commits.get();
      in.pipeInput("k", "v");
      assertThat(commits.get()).isGreaterThan(before);
    }
  }

  private String submit() {
    String id = RequestIds.next();
    chain.process(new Record<>(id, new Admitted(StageChainTest.request(id, NOW), Map.of()), NOW));
    return id;
  }

  private void drain() {
    var punctuators = context.scheduledPunctuators();
    punctuators
        .get(punctuators.size() - 1)
        .getPunctuator()
        .punctuate(context.currentSystemTimeMs());
  }

  private Map<String, Object> replies() {
    Map<String, Object> replies = new HashMap<>();
    for (var forward : context.forwarded()) {
      Settled settled = (Settled) forward.record().value();
      replies.put(settled.requestId(), settled.reply());
    }
    return replies;
  }
}

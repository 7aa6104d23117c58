package dev.sluice.pipeline.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.pipeline.ratelimit.LimitDecision.Allowed;
import dev.sluice.pipeline.ratelimit.LimitDecision.AlreadySettled;
import dev.sluice.pipeline.ratelimit.LimitDecision.Refused;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The state-store limiter over real (in-memory) Kafka Streams stores: all or nothing across a
 * tenant's and a model's ledger, idempotent by request id, and, as a task that restarts or moves
 * does, a new limiter over the same stores carries on where the last one stopped.
 */
class StoreLimiterTest {
  private static final long T0 = 1_767_225_600_000L; // a UTC midnight
  private static final LimitSpec THREE_PER_MINUTE =
      new LimitSpec(new RequestLimit(3, 60_000), null, null, null);

  private MockProcessorContext<Object, Object> context;
  private KeyValueStore<String, TenantLedger> ledgers;
  private KeyValueStore<String, Map<String, Long>> settled;
  private long now = T0;

  @BeforeEach
  void stores() {
    context = new MockProcessorContext<>();
    ledgers =
        Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore("http" + StoreLimiter.LEDGERS_SUFFIX),
                Serdes.String(),
                new LedgerSerde())
            .withLoggingDisabled()
            .build();
    ledgers.init(context.getStateStoreContext(), ledgers);
    settled =
        Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore("http" + StoreLimiter.SETTLED_SUFFIX),
                Serdes.String(),
                LedgerSerde.settledIds())
            .withLoggingDisabled()
            .build();
    settled.init(context.getStateStoreContext(), settled);
  }

  private StoreLimiter limiter() {
    return new StoreLimiter(120_000, 10_000, ledgers, settled, () -> now);
  }

  private static List<LimitKey> tenant(LimitSpec spec) {
    return List.of(new LimitKey("acme", "", spec));
  }

  @Test
  void nPerWindowThenRefusedAndARestartedLimiterRemembers() {
    StoreLimiter limiter = limiter();
    for (int i = 0; i < 3; i++) {
      assertThat(limiter.reserve(tenant(THREE_PER_MINUTE), "r" + i, 0).join())
          .isInstanceOf(Allowed.class);
      limiter.settle(tenant(THREE_PER_MINUTE), "r" + i, 0);
    }
    assertThat(limiter.reserve(tenant(THREE_PER_MINUTE), "r3", 0).join())
        .isInstanceOf(Refused.class);

    // A new owner of the task restores from the stores, as the chain flushed them.
    limiter.flush();
    StoreLimiter restarted = limiter();
    assertThat(restarted.reserve(tenant(THREE_PER_MINUTE), "r4", 0).join())
        .isInstanceOf(Refused.class);
    assertThat(restarted.reserve(tenant(THREE_PER_MINUTE), "r0", 0).join())
        .as("settled before the restart")
        .isInstanceOf(AlreadySettled.class);
    now += 61_000;
    assertThat(restarted.reserve(tenant(THREE_PER_MINUTE), "r5", 0).join())
        .isInstanceOf(Allowed.class);
  }

  @Test
  void aRequestOverAModelsLimitCountsInNeitherLedger() {
    StoreLimiter limiter = limiter();
    LimitSpec onePerMinute = new LimitSpec(new RequestLimit(1, 60_000), null, null, null);
    List<LimitKey> toModel =
        List.of(
            new LimitKey("acme", "", THREE_PER_MINUTE),
            new LimitKey("acme", "model:openai:gpt-4o", onePerMinute));
    assertThat(limiter.reserve(toModel, "a", 0).join()).isInstanceOf(Allowed.class);
    LimitDecision second = limiter.reserve(toModel, "b", 0).join();
    assertThat(second).isInstanceOf(Refused.class);
    assertThat(second.headroom(LimitKind.REQUESTS).orElseThrow().remaining())
        .as("the tighter ledger's figures")
        .isZero();
    // The tenant's ledger did not count the refused one: two more fit it.
    assertThat(limiter.reserve(tenant(THREE_PER_MINUTE), "c", 0).join())
        .isInstanceOf(Allowed.class);
    assertThat(limiter.reserve(tenant(THREE_PER_MINUTE), "d", 0).join())
        .isInstanceOf(Allowed.class);
    assertThat(limiter.reserve(tenant(THREE_PER_MINUTE), "e", 0).join())
        .isInstanceOf(Refused.class);
  }

  @Test
  void reservingTwiceCountsOnceAndSettlingTwiceSettlesOnce() {
    StoreLimiter limiter = limiter();
    LimitSpec tokens = new LimitSpec(null, 1_500L, null, null);
    assertThat(limiter.reserve(tenant(tokens), "a", 1_000).join()).isInstanceOf(Allowed.class);
    assertThat(limiter.reserve(tenant(tokens), "a", 1_000).join())
        .as("the same id again: counted once")
        .isInstanceOf(Allowed.class);
    assertThat(limiter.reserve(tenant(tokens), "b", 1_000).join())
        .as("1,000 + 1,000 > 1,500")
        .isInstanceOf(Refused.class);
    limiter.settle(tenant(tokens), "a", 10);
    limiter.settle(tenant(tokens), "a", 900);
    LimitDecision fits = limiter.reserve(tenant(tokens), "b", 1_000).join();
    assertThat(fits).as("10 used, not 910").isInstanceOf(Allowed.class);
    assertThat(fits.headroom(LimitKind.TOKENS_PER_MINUTE).orElseThrow().remaining()).isEqualTo(490);
  }

  @Test
  void settledIdsAndIdleLedgersAreForgottenInTime() {
    StoreLimiter limiter = limiter();
    limiter.reserve(tenant(THREE_PER_MINUTE), "a", 0).join();
    limiter.settle(tenant(THREE_PER_MINUTE), "a", 0);
    assertThat(ledgers.get("acme")).as("not written before the flush").isNull();
    limiter.flush();
    assertThat(ledgers.get("acme")).isNotNull();
    assertThat(settled.get("0:0")).containsEntry("a", T0);
    now += 10_000;
    limiter.prune();
    limiter.flush();
    assertThat(settled.get("0:0")).as("deleted at the first commit past the keep window").isNull();
    assertThat(limiter.reserve(tenant(THREE_PER_MINUTE), "a", 0).join())
        .as("forgotten in memory too")
        .isNotInstanceOf(AlreadySettled.class);
    assertThat(limiter.ledgerCount()).as("its request still counts in a window").isEqualTo(1);
    now += 2 * 86_400_000L;
    limiter.prune();
    assertThat(limiter.ledgerCount()).isZero();
    assertThat(ledgers.get("acme")).isNull();
  }

  @Test
  void aCommitsSettledIdsGoInBoundedRecordsKeptForTheKeepWindow() {
    StoreLimiter limiter = limiter();
    LimitSpec manyCalls = new LimitSpec(null, null, null, 1_000_000);
    int many = 2 * StoreLimiter.IDS_PER_RECORD + 500;
    for (int i = 0; i < many; i++) {
      limiter.reserve(tenant(manyCalls), "many-" + i, 0).join();
      limiter.settle(tenant(manyCalls), "many-" + i, 0);
    }
    limiter.flush();
    assertThat(settled.get("0:0")).hasSize(StoreLimiter.IDS_PER_RECORD);
    assertThat(settled.get("0:1")).hasSize(StoreLimiter.IDS_PER_RECORD);
    assertThat(settled.get("0:2")).hasSize(500).containsKey("many-" + (many - 1));

    now += 6_000;
    limiter.reserve(tenant(manyCalls), "later", 0).join();
    limiter.settle(tenant(manyCalls), "later", 0);
    limiter.flush();
    assertThat(settled.get("1:0")).containsOnlyKeys("later");
    // A task restored now knows both commits' ids, and numbers its next record after them.
    StoreLimiter restored = limiter();
    assertThat(restored.reserve(tenant(manyCalls), "many-0", 0).join())
        .isInstanceOf(AlreadySettled.class);
    assertThat(restored.reserve(tenant(manyCalls), "later", 0).join())
        .isInstanceOf(AlreadySettled.class);

    now += 5_000;
    restored.reserve(tenant(manyCalls), "last", 0).join();
    restored.settle(tenant(manyCalls), "last", 0);
    restored.flush();
    assertThat(settled.get("2:0")).containsOnlyKeys("last");
    assertThat(settled.get("0:0")).as("past the keep window").isNull();
    assertThat(settled.get("0:2")).isNull();
    assertThat(settled.get("1:0")).isNotNull();
  }

  @Test
  void theLedgerSerdeRoundTripsRandomLedgersAndRefusesGarbage() {
    Random random = new Random(11);
    LedgerSerde serde = new LedgerSerde();
    for (int n = 0; n < 500; n++) {
      Map<Long, Long> requests = new TreeMap<>();
      Map<Long, Long> tokens = new TreeMap<>();
      for (int i = random.nextInt(61); i > 0; i--) {
        requests.put(T0 + random.nextInt(60) * 1_000L, 1L + random.nextInt(1_000_000));
        tokens.put(T0 + random.nextInt(60) * 1_000L, (long) random.nextInt(Integer.MAX_VALUE));
      }
      Map<String, Reservation> reservations = new TreeMap<>();
      for (int i = random.nextInt(5); i > 0; i--) {
        reservations.put("r" + random.nextLong(), new Reservation(random.nextInt(9_999), T0 + i));
      }
      // Ids are written as DataOutput.writeUTF would: one, two and three bytes a char, and NUL.
      reservations.put("r\u00e9-\u2713-\u0000-\ud83d\ude00-" + n, new Reservation(7, T0));
      TenantLedger ledger =
          new TenantLedger(
              requests,
              tokens,
              20_454,
              random.nextLong() & Long.MAX_VALUE,
              reservations,
              Map.of("s", T0));
      byte[] bytes = serde.serializer().serialize("t", ledger);
      assertThat(serde.deserializer().deserialize("t", bytes)).isEqualTo(ledger);
    }
    byte[] good = serde.serializer().serialize("t", TenantLedger.EMPTY);
    byte[] versioned = good.clone();
    versioned[0] = 9;
    assertThatThrownBy(() -> serde.deserializer().deserialize("t", versioned))
        .isInstanceOf(SerializationException.class);
    byte[] truncated =
        serde
            .serializer()
            .serialize("t", new TenantLedger(Map.of(T0, 5L), Map.of(), 0, 0, Map.of(), Map.of()));
    byte[] cut = Arrays.copyOf(truncated, truncated.length - 3);
    assertThatThrownBy(() -> serde.deserializer().deserialize("t", cut))
        .isInstanceOf(SerializationException.class);
    byte[] huge = {1, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F};
    assertThatThrownBy(() -> serde.deserializer().deserialize("t", huge))
        .isInstanceOf(SerializationException.class);
  }
}

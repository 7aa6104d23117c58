package dev.sluice.pipeline.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.pipeline.ratelimit.LimitDecision.Allowed;
import dev.sluice.pipeline.ratelimit.LimitDecision.AlreadySettled;
import dev.sluice.pipeline.ratelimit.LimitDecision.Refused;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The state-store limiter across a task restart: a new {@link StoreLimiter} over the stores the
 * last one wrote is what a task restored from its changelog starts with. A record processed again
 * after its call was reserved (the reservation reached the changelog, the input offset's commit did
 * not) is allowed without a second count, a settlement repeated (a restored call answered again)
 * changes nothing, and a request settled before the restart is still known as settled.
 */
class StoreLimiterRestartTest {
  private static final long MAX_AGE_MS = 120_000;
  private static final long KEEP_MS = 10_000;
  private static final LimitKey TENANT =
      new LimitKey("acme", "", new LimitSpec(new RequestLimit(3, 60_000), 1_000L, 100_000L, 2));
  private static final List<LimitKey> KEYS = List.of(TENANT);
  private static final List<LimitKey> METERED =
      List.of(new LimitKey("metered", "", new LimitSpec(null, 1_000L, null, 2)));

  private final AtomicLong clock = new AtomicLong(1_900_000_000_000L);
  private KeyValueStore<String, TenantLedger> ledgers;
  private KeyValueStore<String, Map<String, Long>> settled;

  @BeforeEach
  void stores() {
    MockProcessorContext<Object, Object> context = new MockProcessorContext<>();
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

  /** A limiter as a task that (re)starts builds it: it reads what the stores hold. */
  private StoreLimiter last;

  private StoreLimiter restarted() {
    // The chain flushes the last owner's changes at the start of each commit.
    if (last != null) {
      last.flush();
    }
    last = new StoreLimiter(MAX_AGE_MS, KEEP_MS, ledgers, settled, clock::get);
    return last;
  }

  @Test
  void aRecordProcessedAgainAfterItsReservationIsNotCountedTwice() {
    StoreLimiter before = restarted();
    assertThat(before.reserve(KEYS, "req-1", 400).join()).isInstanceOf(Allowed.class);
    before.flush();
    TenantLedger reserved = ledgers.get("acme");

    clock.addAndGet(50);
    StoreLimiter after = restarted();
    assertThat(after.reserve(KEYS, "req-1", 400).join())
        .as("its reservation is still open: allowed, as the first time")
        .isInstanceOf(Allowed.class);
    after.flush();
    assertThat(ledgers.get("acme")).as("no second count").isEqualTo(reserved);
    assertThat(reserved.requests().values()).containsExactly(1L);
    assertThat(reserved.reservations()).containsOnlyKeys("req-1");

    // Two more fit the limit of three, and then nothing: the redelivery took no slot.
    assertThat(after.reserve(KEYS, "req-2", 100).join()).isInstanceOf(Allowed.class);
    after.settle(KEYS, "req-2", 10);
    assertThat(after.reserve(KEYS, "req-3", 100).join()).isInstanceOf(Allowed.class);
    after.settle(KEYS, "req-3", 10);
    assertThat(after.reserve(KEYS, "req-4", 100).join())
        .isInstanceOfSatisfying(
            Refused.class, refused -> assertThat(refused.limit()).isEqualTo(LimitKind.REQUESTS));
  }

  @Test
  void aSettlementRepeatedAfterARestartSettlesOnce() {
    StoreLimiter first = restarted();
    first.reserve(KEYS, "req-1", 400).join();
    first.settle(KEYS, "req-1", 30);
    first.flush();
    TenantLedger once = ledgers.get("acme");
    assertThat(tokens(once)).as("the 400 reserved, settled to 30 used").isEqualTo(30);
    assertThat(once.reservations()).isEmpty();
    assertThat(settled.get("0:0")).containsKey("req-1");

    // The restored in-flight store re-issues the call, whose answer settles it again.
    clock.addAndGet(50);
    StoreLimiter second = restarted();
    second.settle(KEYS, "req-1", 30);
    second.settle(KEYS, "req-1", 500);
    second.flush();
    assertThat(ledgers.get("acme")).as("settled once").isEqualTo(once);

    // The same envelope produced again is refused as settled, not counted as new.
    assertThat(second.reserve(KEYS, "req-1", 400).join()).isInstanceOf(AlreadySettled.class);
    second.flush();
    assertThat(ledgers.get("acme")).isEqualTo(once);
  }

  @Test
  void aRestartedTaskKeepsCountingTokensAndConcurrencyWhereItStopped() {
    StoreLimiter before = restarted();
    before.reserve(METERED, "done", 600).join();
    before.settle(METERED, "done", 600);
    before.reserve(METERED, "open", 300).join();

    clock.addAndGet(50);
    StoreLimiter after = restarted();
    // 600 used and 300 reserved of 1,000 a minute: a reservation of 200 no longer fits.
    assertThat(after.reserve(METERED, "next", 200).join())
        .isInstanceOfSatisfying(
            Refused.class,
            refused -> assertThat(refused.limit()).isEqualTo(LimitKind.TOKENS_PER_MINUTE));
    assertThat(after.reserve(METERED, "small", 50).join()).isInstanceOf(Allowed.class);
    // "open" and "small" hold both concurrency slots.
    assertThat(after.reserve(METERED, "third", 1).join())
        .isInstanceOfSatisfying(
            Refused.class, refused -> assertThat(refused.limit()).isEqualTo(LimitKind.CONCURRENT));
  }

  private static long tokens(TenantLedger ledger) {
    return ledger.tokens().values().stream().mapToLong(Long::longValue).sum();
  }
}

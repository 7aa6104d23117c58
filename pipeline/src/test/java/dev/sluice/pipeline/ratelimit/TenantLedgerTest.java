package dev.sluice.pipeline.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** A ledger cannot be changed once made, whether its maps were copied or passed on. */
class TenantLedgerTest {
  private static final long NOW = 1_900_000_000_500L;

  @Test
  void aLedgerCopiesTheMapsItIsGivenAndRefusesChanges() {
    Map<Long, Long> requests = new HashMap<>(Map.of(2_000L, 1L, 1_000L, 3L));
    TenantLedger ledger = new TenantLedger(requests, Map.of(), 0, 0, Map.of(), Map.of());
    requests.put(3_000L, 9L);

    assertThat(ledger.requests()).containsOnlyKeys(1_000L, 2_000L);
    assertThat(ledger.requests().keySet()).containsExactly(1_000L, 2_000L);
    assertThatThrownBy(() -> ledger.requests().put(4_000L, 1L))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> ledger.requests().entrySet().iterator().next().setValue(7L))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> ledger.requests().keySet().clear())
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> ledger.requests().values().clear())
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> new TenantLedger(Map.of(), Map.of(), 0, 0, Map.of(), nullValue()))
        .isInstanceOf(NullPointerException.class);
  }

  private static Map<String, Long> nullValue() {
    Map<String, Long> map = new HashMap<>();
    map.put("req-1", null);
    return map;
  }

  @Test
  void aLedgerMapAddsReplacesAndRemovesInKeyOrder() {
    LedgerMap<Long, Long> map = LedgerMap.of(Map.of(20L, 2L, 40L, 4L));

    LedgerMap<Long, Long> more = map.with(30L, 3L).with(10L, 1L).with(50L, 5L).with(30L, 33L);

    assertThat(more.keySet()).containsExactly(10L, 20L, 30L, 40L, 50L);
    assertThat(more).containsEntry(30L, 33L).doesNotContainKey(35L);
    assertThat(more.get("not a key")).isNull();
    assertThat(more.without(10L).without(50L).without(99L).keySet()).containsExactly(20L, 30L, 40L);
    assertThat(more.filter((start, count) -> start > 25).keySet()).containsExactly(30L, 40L, 50L);
    assertThat(more.filter((start, count) -> true)).isSameAs(more);
    assertThat(more.filter((start, count) -> false)).isEmpty();
    assertThat(map).as("unchanged by what was made from it").containsOnlyKeys(20L, 40L);
    assertThat(more).isEqualTo(new TreeMap<>(more));
    assertThat(more.headMap(30L).keySet()).containsExactly(10L, 20L);
    assertThat(more.firstKey()).isEqualTo(10L);
    assertThat(more.lastKey()).isEqualTo(50L);
  }

  @Test
  void aLedgersMapsPassToTheNextLedgerAsTheyAreAndStillRefuseChanges() {
    TenantLimiter limiter = new TenantLimiter(600_000, 120_000);
    LimitSpec spec = new LimitSpec(new RequestLimit(10, 60_000), 10_000L, 100_000L, 4);
    TenantLedger first = limiter.reserve(TenantLedger.EMPTY, spec, "req-1", 10, NOW).ledger();
    TenantLedger second = limiter.reserve(first, spec, "req-2", 10, NOW + 1).ledger();
    TenantLedger settled = limiter.settle(second, "req-1", 4, NOW + 2);

    assertThat(settled.requests()).isSameAs(second.requests());
    assertThat(settled.reservations()).containsOnlyKeys("req-2");
    assertThat(second.reservations()).containsOnlyKeys("req-1", "req-2");
    assertThat(first.reservations()).containsOnlyKeys("req-1");
    assertThatThrownBy(() -> settled.reservations().remove("req-2"))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(
            () -> ((SortedMap<Long, Long>) settled.tokens()).headMap(Long.MAX_VALUE).clear())
        .isInstanceOf(UnsupportedOperationException.class);
    assertThat(
            new TenantLedger(
                new TreeMap<>(settled.requests()),
                settled.tokens(),
                settled.day(),
                settled.dayTokens(),
                settled.reservations(),
                settled.settled()))
        .as("equal to a ledger made from copies")
        .isEqualTo(settled);
  }
}

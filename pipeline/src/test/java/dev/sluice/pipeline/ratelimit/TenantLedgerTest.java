package dev.sluice.pipeline.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** A ledger cannot be changed once made, whether its maps were copied or handed over. */
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

package dev.sluice.pipeline.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.schemas.JsonCodec;
import dev.sluice.schemas.UnreadableMessageException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The ledger as the changelogged store keeps it, and a spec as configuration may carry it. */
class TenantLedgerJsonTest {
  private static final JsonCodec<TenantLedger> LEDGERS = JsonCodec.of(TenantLedger.class);
  private static final long NOW = 1_900_000_000_500L;

  private final TenantLimiter limiter = new TenantLimiter(600_000, 120_000);

  @Test
  void aLedgerInUseReadsBackEqual() {
    LimitSpec spec = new LimitSpec(new RequestLimit(10, 1_000), 10_000L, 100_000L, 4);
    TenantLedger ledger = TenantLedger.EMPTY;
    for (int i = 0; i < 5; i++) {
      ledger = limiter.reserve(ledger, spec, "req-" + i, 100 * i, NOW + 7 * i).ledger();
    }
    ledger = limiter.settle(ledger, "req-1", 30, NOW + 50);
    ledger = limiter.release(ledger, "req-2", NOW + 60);

    byte[] json = LEDGERS.toBytes(ledger);
    assertThat(LEDGERS.fromBytes(json)).isEqualTo(ledger);
    assertThat(new String(json, StandardCharsets.UTF_8))
        .contains("\"reservations\":{\"req-0\":{\"tokens\":0,\"atMs\":1900000000500}")
        .contains("\"settled\":{\"req-1\":1900000000550,\"req-2\":1900000000560}")
        .contains("\"day\":21990");
  }

  @Test
  void theSameLedgerIsAlwaysWrittenTheSameWay() {
    LimitSpec spec = new LimitSpec(null, 10_000L, null, null);
    TenantLedger ledger = TenantLedger.EMPTY;
    for (int i = 9; i >= 0; i--) {
      ledger = limiter.reserve(ledger, spec, "req-" + i, 10, NOW + 1_000L * (9 - i)).ledger();
    }
    TenantLedger read = LEDGERS.fromBytes(LEDGERS.toBytes(ledger));
    assertThat(LEDGERS.toBytes(read)).isEqualTo(LEDGERS.toBytes(ledger));
    assertThat(List.copyOf(read.reservations().keySet())).isSorted();
  }

  @Test
  void absentMapsAreEmptyAndABadLedgerIsRefused() {
    assertThat(LEDGERS.fromBytes("{\"day\":0,\"dayTokens\":0}".getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(TenantLedger.EMPTY);
    assertThatThrownBy(() -> LEDGERS.fromBytes("{}".getBytes(StandardCharsets.UTF_8)))
        .as("the day is never guessed")
        .isInstanceOf(UnreadableMessageException.class);
    assertThatThrownBy(
            () ->
                LEDGERS.fromBytes(
                    "{\"tokens\":{\"1000\":\"12\"}}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(UnreadableMessageException.class);
    assertThatThrownBy(
            () ->
                LEDGERS.fromBytes(
                    "{\"reservations\":{\"a\":{\"tokens\":-1,\"atMs\":5}}}"
                        .getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(UnreadableMessageException.class);
  }

  @Test
  void aSpecReadsBackEqualAndLeavesAbsentLimitsOut() {
    JsonCodec<LimitSpec> specs = JsonCodec.of(LimitSpec.class);
    LimitSpec spec = new LimitSpec(new RequestLimit(60, 60_000), null, 1_000_000L, 8);
    byte[] json = specs.toBytes(spec);
    assertThat(new String(json, StandardCharsets.UTF_8))
        .isEqualTo(
            "{\"requests\":{\"requests\":60,\"windowMs\":60000},\"dailyTokens\":1000000,"
                + "\"concurrent\":8}");
    assertThat(specs.fromBytes(json)).isEqualTo(spec);
    assertThat(specs.fromBytes("{}".getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(LimitSpec.UNLIMITED);
    assertThatThrownBy(() -> specs.fromBytes("{\"concurrent\":0}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(UnreadableMessageException.class);
  }
}

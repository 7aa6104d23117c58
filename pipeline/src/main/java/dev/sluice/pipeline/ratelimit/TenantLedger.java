package dev.sluice.pipeline.ratelimit;

import java.util.Map;

/**
 * What a tenant (or a tenant and model) has used: the state one limiter key keeps in the
 * changelogged store, as JSON. Immutable; {@link TenantLimiter} returns a new ledger for every
 * change. Maps are sorted, so the same ledger is always written the same way. A ledger's maps are
 * {@link LedgerMap}s, immutable: a map given as one is kept as it is, so a change copies only what
 * it changes, and any other map is copied.
 *
 * @param requests request sub-buckets: first millisecond to admissions counted in it
 * @param tokens tokens-per-minute sub-buckets (one second each): first millisecond to tokens
 * @param day the UTC day {@code dayTokens} belongs to (days since the epoch)
 * @param dayTokens tokens counted on {@code day}
 * @param reservations unsettled reservations by request id; each holds a concurrency slot
 * @param settled request ids settled (or expired) recently, to when that happened
 */
public record TenantLedger(
    Map<Long, Long> requests,
    Map<Long, Long> tokens,
    long day,
    long dayTokens,
    Map<String, Reservation> reservations,
    Map<String, Long> settled) {
  /** A tenant that has used nothing. */
  public static final TenantLedger EMPTY =
      new TenantLedger(Map.of(), Map.of(), 0, 0, Map.of(), Map.of());

  public TenantLedger {
    requests = LedgerMap.of(requests);
    tokens = LedgerMap.of(tokens);
    reservations = LedgerMap.of(reservations);
    settled = LedgerMap.of(settled);
  }
}

package dev.sluice.pipeline.ratelimit;

import java.util.Objects;

/** A reservation's decision and the ledger to store after it. */
public record LedgerDecision(TenantLedger ledger, LimitDecision decision) {
  public LedgerDecision {
    Objects.requireNonNull(ledger, "ledger");
    Objects.requireNonNull(decision, "decision");
  }
}

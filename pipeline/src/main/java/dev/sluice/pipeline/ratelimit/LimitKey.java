package dev.sluice.pipeline.ratelimit;

import java.util.Objects;

/**
 * One ledger a request is counted in, and the limits it is checked against. Every request counts in
 * its tenant's ledger; one to a model that a {@code rate_limits.models} entry names counts in the
 * tenant and model's ledger too, and batch traffic with a {@code batch} share in the tenant's batch
 * ledger; it must fit every one, so a model's or the batch share's limits narrow the tenant's and
 * never lift them ({@link dev.sluice.policy.TenantRateLimits#ledgers}).
 *
 * @param tenant the verified tenant
 * @param scope empty for the tenant's own ledger, else {@code model:<resolved model>} or {@code
 *     batch}
 * @param spec the limits of that ledger
 */
public record LimitKey(String tenant, String scope, LimitSpec spec) {
  public LimitKey {
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(scope, "scope");
    Objects.requireNonNull(spec, "spec");
  }

  /** The key's name in a store: the tenant, or the tenant and scope separated by a NUL. */
  public String ledger() {
    return scope.isEmpty() ? tenant : tenant + '\u0000' + scope;
  }
}

package dev.sluice.pipeline.ratelimit;

import java.util.Objects;

/**
 * One ledger a request is counted in, and the limits it is checked against. Every request counts in
 * its tenant's ledger; one to a model that a {@code rate_limits.models} entry names counts in the
 * tenant and model's ledger too, and must fit both, so a model's limits narrow the tenant's and
 * never let it past them.
 *
 * @param tenant the verified tenant
 * @param model the resolved model ({@code provider:model}) for a model's ledger, or null for the
 *     tenant's own
 * @param spec the limits of that ledger
 */
public record LimitKey(String tenant, String model, LimitSpec spec) {
  public LimitKey {
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(spec, "spec");
  }

  /** The key's name in a store: the tenant, or the tenant and model separated by a NUL. */
  public String ledger() {
    return model == null ? tenant : tenant + '\u0000' + model;
  }
}

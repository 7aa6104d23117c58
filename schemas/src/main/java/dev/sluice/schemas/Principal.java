package dev.sluice.schemas;

import java.util.Objects;

/**
 * Who a request is from, as established by verifying its credential. Every stage after
 * authentication carries this instead of the credential.
 *
 * @param tenant the tenant the caller belongs to (the {@code tenant} claim)
 * @param subject the caller within the tenant (the {@code sub} claim), or {@code ""} when absent
 */
public record Principal(String tenant, String subject) {
  public Principal {
    Objects.requireNonNull(tenant, "tenant");
    subject = subject == null ? "" : subject;
    if (tenant.isBlank()) {
      throw new IllegalArgumentException("tenant must not be blank");
    }
  }
}

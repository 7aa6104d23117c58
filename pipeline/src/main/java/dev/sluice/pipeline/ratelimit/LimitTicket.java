package dev.sluice.pipeline.ratelimit;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.sluice.schemas.audit.RateLimitRecord;
import dev.sluice.schemas.reply.RateLimitState;
import java.util.List;
import java.util.Objects;

/**
 * What the rate-limit stage decided for a request, carried down the chain (and kept with a waiting
 * request in the in-flight store) so that the request is settled under the same ledgers once it
 * ends, and its reply and audit record carry the figures.
 *
 * @param keys the ledgers the request is counted in; empty when nothing was reserved
 * @param reservedTokens tokens reserved (prompt plus completion cap)
 * @param record the decision for the audit record
 * @param figures the figures for the {@code x-ratelimit-*} headers; null when there are none
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LimitTicket(
    List<LimitKey> keys, long reservedTokens, RateLimitRecord record, RateLimitState figures) {
  public LimitTicket {
    keys = keys == null ? List.of() : List.copyOf(keys);
    Objects.requireNonNull(record, "record");
  }

  /** Whether the request holds a reservation that settling must give back or correct. */
  @JsonIgnore
  public boolean reserved() {
    return !keys.isEmpty();
  }

  /** The same ticket with the tokens settled, for the audit record. */
  public LimitTicket settledWith(long usedTokens) {
    RateLimitRecord r = record;
    return new LimitTicket(
        keys,
        reservedTokens,
        new RateLimitRecord(
            r.decision(),
            r.limit(),
            r.limitValue(),
            r.remaining(),
            r.resetMs(),
            r.retryAfterMs(),
            r.reservedTokens(),
            usedTokens),
        figures);
  }
}

package dev.sluice.schemas.audit;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;
import java.util.Objects;

/**
 * The rate-limit stage's decision for one request, as its audit record keeps it.
 *
 * @param decision what the limiter decided
 * @param limit the limit that decided when one refused or held the request ({@code requests},
 *     {@code tokens_per_minute}, {@code daily_tokens}, {@code concurrent}), else the tightest one
 *     the tenant has; null when the tenant has none
 * @param limitValue that limit's value
 * @param remaining what was left of it after the decision
 * @param resetMs milliseconds until it is whole again
 * @param retryAfterMs when refused or held: milliseconds until the request would fit
 * @param reservedTokens tokens reserved for the call (prompt plus completion cap)
 * @param usedTokens tokens the call used, as settled; null when it was not settled
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RateLimitRecord(
    Decision decision,
    String limit,
    Long limitValue,
    Long remaining,
    Long resetMs,
    Long retryAfterMs,
    Long reservedTokens,
    Long usedTokens) {

  public RateLimitRecord {
    Objects.requireNonNull(decision, "decision");
  }

  /** The limiter's verdict. */
  public enum Decision {
    /** Within every limit: counted. */
    ALLOWED,
    /** Over a limit: answered 429. */
    REFUSED,
    /** Batch traffic over a limit: held and retried later. */
    HELD,
    /** The limiter (Redis) was unreachable and {@code RATE_LIMIT_ON_REDIS_DOWN=allow} let it by. */
    UNCHECKED,
    /** The limiter (Redis) was unreachable and the request was refused (fail closed). */
    UNAVAILABLE;

    @JsonValue
    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }
}

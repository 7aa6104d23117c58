package dev.sluice.pipeline.ratelimit;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link TenantLimiter#reserve} decided. Each variant carries the {@link Headroom} of every
 * limit the spec has (and no entry for an absent one), for the rate-limit headers.
 */
public sealed interface LimitDecision
    permits LimitDecision.Allowed, LimitDecision.Refused, LimitDecision.AlreadySettled {

  /** Each present limit's figures. */
  Map<LimitKind, Headroom> headroom();

  /** The figures of {@code kind}, when the spec has that limit. */
  default Optional<Headroom> headroom(LimitKind kind) {
    return Optional.ofNullable(headroom().get(kind));
  }

  /**
   * The request is counted (or was already, under the same request id); its figures are after it.
   */
  record Allowed(Map<LimitKind, Headroom> headroom) implements LimitDecision {
    public Allowed {
      headroom = copy(headroom);
    }
  }

  /**
   * Nothing was counted: {@code limit} would be exceeded.
   *
   * @param limit the limit that refused; when several do, the one that frees last
   * @param retryAfterMs when the same request would fit if nothing else is counted meanwhile; 0
   *     when {@code tooLarge}
   * @param tooLarge the request's own reservation is over the limit (tokens per minute or daily),
   *     so no retry can pass: the caller answers with an error, not a retry-after
   */
  record Refused(
      LimitKind limit, long retryAfterMs, boolean tooLarge, Map<LimitKind, Headroom> headroom)
      implements LimitDecision {
    public Refused {
      Objects.requireNonNull(limit, "limit");
      if (retryAfterMs < 0) {
        throw new IllegalArgumentException("retryAfterMs cannot be negative: " + retryAfterMs);
      }
      headroom = copy(headroom);
    }
  }

  /**
   * The request id was settled within the keep window: this is a re-processed record whose call has
   * already been made and answered. Nothing was counted.
   */
  record AlreadySettled(Map<LimitKind, Headroom> headroom) implements LimitDecision {
    public AlreadySettled {
      headroom = copy(headroom);
    }
  }

  private static Map<LimitKind, Headroom> copy(Map<LimitKind, Headroom> headroom) {
    Map<LimitKind, Headroom> copy = new EnumMap<>(LimitKind.class);
    copy.putAll(Objects.requireNonNull(headroom, "headroom"));
    return Collections.unmodifiableMap(copy);
  }
}

package dev.sluice.pipeline.ratelimit;

import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link TenantLimiter#reserve} decided. Each variant carries the {@link Headroom} of every
 * limit the spec has (and no entry for an absent one), for the rate-limit headers.
 */
public sealed interface LimitDecision
    permits LimitDecision.Allowed,
        LimitDecision.Refused,
        LimitDecision.AlreadySettled,
        LimitDecision.Unchecked {

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

  /**
   * The limiter could not be asked (Redis unreachable) and {@code RATE_LIMIT_ON_REDIS_DOWN=allow}
   * lets the request by uncounted. Carries no figures: nobody knows them.
   */
  record Unchecked() implements LimitDecision {
    @Override
    public Map<LimitKind, Headroom> headroom() {
      return Map.of();
    }
  }

  /**
   * One decision for a request counted under several ledgers: {@link AlreadySettled} if any is,
   * else {@link Refused} if any is (a too-large refusal first, else the one with the longest wait),
   * else {@link Allowed}. Its figures are, per limit, those with the least left (ties: the later
   * reset), so the headers never promise more than the tightest ledger has.
   */
  static LimitDecision combine(List<LimitDecision> decisions) {
    if (decisions.isEmpty()) {
      throw new IllegalArgumentException("no decision to combine");
    }
    Map<LimitKind, Headroom> figures = new EnumMap<>(LimitKind.class);
    AlreadySettled settled = null;
    Refused refused = null;
    for (LimitDecision decision : decisions) {
      decision
          .headroom()
          .forEach((kind, headroom) -> figures.merge(kind, headroom, LimitDecision::tighter));
      if (decision instanceof AlreadySettled already) {
        settled = already;
      } else if (decision instanceof Refused refusal && stricter(refusal, refused)) {
        refused = refusal;
      }
    }
    if (settled != null) {
      return new AlreadySettled(figures);
    }
    if (refused != null) {
      return new Refused(refused.limit(), refused.retryAfterMs(), refused.tooLarge(), figures);
    }
    return new Allowed(figures);
  }

  private static boolean stricter(Refused candidate, Refused current) {
    if (current == null) {
      return true;
    }
    if (candidate.tooLarge() != current.tooLarge()) {
      return candidate.tooLarge();
    }
    return candidate.retryAfterMs() > current.retryAfterMs();
  }

  private static Headroom tighter(Headroom a, Headroom b) {
    if (a.remaining() != b.remaining()) {
      return a.remaining() < b.remaining() ? a : b;
    }
    return a.resetMs() >= b.resetMs() ? a : b;
  }

  private static Map<LimitKind, Headroom> copy(Map<LimitKind, Headroom> headroom) {
    Map<LimitKind, Headroom> copy = new EnumMap<>(LimitKind.class);
    copy.putAll(Objects.requireNonNull(headroom, "headroom"));
    return Collections.unmodifiableMap(copy);
  }
}

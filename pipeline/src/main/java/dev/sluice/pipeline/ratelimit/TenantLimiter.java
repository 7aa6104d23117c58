package dev.sluice.pipeline.ratelimit;

import dev.sluice.pipeline.ratelimit.LimitDecision.Allowed;
import dev.sluice.pipeline.ratelimit.LimitDecision.AlreadySettled;
import dev.sluice.pipeline.ratelimit.LimitDecision.Refused;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Reserves and settles against a {@link TenantLedger}: pure functions of the ledger, the spec and
 * {@code nowMs} (epoch milliseconds), so the state store and the Redis script can run the same
 * rules. Stated precisely, so they can be restated:
 *
 * <h2>Sliding windows</h2>
 *
 * A window of W ms is split in sub-buckets of {@code w = ceil(W / 60)} ms (so {@code B = ceil(W /
 * w)} sub-buckets: 60, or fewer when W is under 3,540 ms; W ≤ 60 gives 1 ms sub-buckets, an exact
 * sliding log). The sub-bucket of an instant {@code t} starts at {@code floor(t / w) * w}; the
 * ledger maps each sub-bucket's start to its count. At {@code now}, a sub-bucket starting at {@code
 * s} <em>counts</em> while it overlaps {@code (now - W, now]}, that is while {@code s + w - 1 + W >
 * now}, and it counts whole even when it overlaps only partly. So what counts covers the window and
 * at most {@code w - 1} ms before it:
 *
 * <ul>
 *   <li>A request is admitted only if the counted sum is below N; then every window of length W
 *       ending at an admission held fewer than N before it, so <b>no window of length W, aligned or
 *       not, ever holds more than N admissions</b> (the most a window can hold is reached at an
 *       admission).
 *   <li>The price: a request may be refused up to {@code w - 1} ms (about W/B) before a strictly
 *       sliding count would admit it. A tenant sending steadily at the limit's rate or faster gets
 *       at least {@code N * (1 - 1/B) - 1} admissions per window of W on average; one sending
 *       faster gets them in bursts, so a single window may hold fewer.
 *   <li>Retry-after: counted sub-buckets leave, oldest first, at {@code s + w - 1 + W}; a refused
 *       request's retry-after is when enough of them have left for it to fit, if nothing else is
 *       counted meanwhile.
 *   <li>Reset ({@code x-ratelimit-reset-*}, OpenAI's meaning: until the limit is whole again): when
 *       the newest counted sub-bucket leaves, i.e. the window is empty.
 * </ul>
 *
 * If W changes, existing sub-buckets are read with the new width (a key is a start instant, so this
 * stays well defined); the limit is exact again one window after the change.
 *
 * <h2>Limits</h2>
 *
 * <ul>
 *   <li>{@link LimitKind#REQUESTS}: one admission in the request window of the spec, as above.
 *   <li>{@link LimitKind#TOKENS_PER_MINUTE}: the same structure with W = 60,000 ms (60 sub-buckets
 *       of one second); a reservation of {@code tokens} fits if the counted sum plus {@code tokens}
 *       is at most the limit.
 *   <li>{@link LimitKind#DAILY_TOKENS}: tokens counted on the UTC day {@code floor(now /
 *       86,400,000)}; they fit if the day's sum plus {@code tokens} is at most the budget. A new
 *       day starts at zero; a clock that goes back a day keeps the later day's sum (it never
 *       forgets usage).
 *   <li>{@link LimitKind#CONCURRENT}: unsettled reservations; one more fits if there are fewer than
 *       the limit.
 * </ul>
 *
 * Tokens and days are counted whether or not the spec limits them, so a limit added later sees the
 * usage before it. A request refused by a limit counts nothing, in any limit (all or nothing).
 *
 * <h2>Reservation and settlement, idempotent by request id</h2>
 *
 * <ol>
 *   <li>Every call first prunes: sub-buckets that no longer count; a reservation older than {@code
 *       reservationMaxAgeMs} (its settlement was lost) becomes settled, its tokens staying counted;
 *       settled ids older than {@code settledKeepMs}; the day's sum when the day has changed. The
 *       ledger's size is therefore bounded by 60 request sub-buckets, 60 token sub-buckets, the
 *       calls in flight and the ids settled within the keep window.
 *   <li>{@link #reserve}: an id already reserved is {@link Allowed} again and counted no more; an
 *       id settled within the keep window is {@link AlreadySettled}; otherwise it is checked
 *       against every limit the spec has. If all fit, one request is counted in the request
 *       sub-buckets, {@code tokens} in the token sub-bucket and the day of {@code now}, and {@code
 *       Reservation(tokens, now)} under the id. If some do not, {@link Refused} names the one that
 *       frees last (a reservation over the TPM or daily limit itself is {@code tooLarge} and named
 *       first).
 *   <li>{@link #settle}: for a reserved id, {@code used - reserved} is added (a refund when
 *       negative, a charge when positive, never below zero) to the token sub-bucket the reservation
 *       was counted in, if it still counts, and to the day's sum, if the day is the reservation's;
 *       the reservation goes (freeing its concurrency slot) and the id is settled at {@code now}.
 *       An unknown or already settled id changes nothing. The request itself stays counted: a
 *       failed call was still a request.
 *   <li>{@link #release}: settle with nothing used (a refused, failed or timed-out call).
 * </ol>
 */
public final class TenantLimiter {
  static final long DAY_MS = 86_400_000L;

  private final long settledKeepMs;
  private final long reservationMaxAgeMs;

  /**
   * @param settledKeepMs how long a settled id is remembered, so that a record re-processed after a
   *     crash is not reserved again (e.g. 10 minutes); longer than a crashed task takes to be
   *     restored; 0 when the caller keeps settled ids itself (the state store does, outside the
   *     ledgers), so a ledger never holds any
   * @param reservationMaxAgeMs the age at which an unsettled reservation is given up as lost and
   *     its concurrency slot freed (e.g. twice the request deadline: no call can still be running)
   */
  public TenantLimiter(long settledKeepMs, long reservationMaxAgeMs) {
    if (settledKeepMs < 0) {
      throw new IllegalArgumentException("settledKeepMs cannot be negative: " + settledKeepMs);
    }
    if (reservationMaxAgeMs < 1) {
      throw new IllegalArgumentException(
          "reservationMaxAgeMs must be at least 1: " + reservationMaxAgeMs);
    }
    this.settledKeepMs = settledKeepMs;
    this.reservationMaxAgeMs = reservationMaxAgeMs;
  }

  /**
   * Reserves one request and {@code tokens} for {@code requestId}, or refuses without counting.
   *
   * @param tokens the reservation: prompt tokens plus the completion cap
   */
  public LedgerDecision reserve(
      TenantLedger ledger, LimitSpec spec, String requestId, long tokens, long nowMs) {
    Objects.requireNonNull(requestId, "requestId");
    if (tokens < 0) {
      throw new IllegalArgumentException("tokens cannot be negative: " + tokens);
    }
    TenantLedger current = prune(ledger, spec, nowMs);
    if (current.reservations().containsKey(requestId)) {
      return new LedgerDecision(current, new Allowed(figures(current, spec, nowMs)));
    }
    if (current.settled().containsKey(requestId)) {
      return new LedgerDecision(current, new AlreadySettled(figures(current, spec, nowMs)));
    }
    Refused refused = refusal(current, spec, tokens, nowMs);
    if (refused != null) {
      return new LedgerDecision(current, refused);
    }
    TenantLedger counted = count(current, spec, requestId, tokens, nowMs);
    return new LedgerDecision(counted, new Allowed(figures(counted, spec, nowMs)));
  }

  /**
   * Reserves under several ledgers at once, all or nothing: {@link #reserve} on each, and the
   * counted ledgers only if every one allowed. The decision is the strictest: {@link
   * AlreadySettled} if any ledger has the id settled, else {@link Refused} if any refused (a
   * too-large refusal first, else the one that frees last), else {@link Allowed}; its figures are,
   * per limit, the ledger with the least left ({@link LimitDecision#combine}).
   *
   * @return the ledgers to store, in the order given, and the decision
   */
  public MultiDecision reserveAll(
      List<TenantLedger> ledgers,
      List<LimitSpec> specs,
      String requestId,
      long tokens,
      long nowMs) {
    if (ledgers.size() != specs.size() || ledgers.isEmpty()) {
      throw new IllegalArgumentException("one spec per ledger, and at least one ledger");
    }
    List<TenantLedger> counted = new ArrayList<>(ledgers.size());
    List<LimitDecision> decisions = new ArrayList<>(ledgers.size());
    boolean allAllowed = true;
    for (int i = 0; i < ledgers.size(); i++) {
      LedgerDecision decision = reserve(ledgers.get(i), specs.get(i), requestId, tokens, nowMs);
      counted.add(decision.ledger());
      decisions.add(decision.decision());
      allAllowed &= decision.decision() instanceof Allowed;
    }
    if (!allAllowed) {
      // Nothing counted anywhere: the pruned ledgers without this request.
      counted.clear();
      for (int i = 0; i < ledgers.size(); i++) {
        counted.add(prune(ledgers.get(i), specs.get(i), nowMs));
      }
    }
    return new MultiDecision(counted, LimitDecision.combine(decisions));
  }

  /** The ledgers to store after {@link #reserveAll}, and its decision. */
  public record MultiDecision(List<TenantLedger> ledgers, LimitDecision decision) {
    public MultiDecision {
      ledgers = List.copyOf(ledgers);
      Objects.requireNonNull(decision, "decision");
    }
  }

  /** Settles {@code requestId} with the tokens the call really used. */
  public TenantLedger settle(TenantLedger ledger, String requestId, long usedTokens, long nowMs) {
    Objects.requireNonNull(requestId, "requestId");
    if (usedTokens < 0) {
      throw new IllegalArgumentException("used tokens cannot be negative: " + usedTokens);
    }
    Objects.requireNonNull(ledger, "ledger");
    TenantLedger current = pruneUsage(ledger, ledger.requests(), nowMs);
    Reservation reservation = current.reservations().get(requestId);
    if (reservation == null) {
      return current;
    }
    long correction = usedTokens - reservation.tokens();
    LedgerMap<Long, Long> tokens = LedgerMap.of(current.tokens());
    long bucket = SlidingWindow.MINUTE.bucketAt(reservation.atMs());
    if (SlidingWindow.MINUTE.counts(bucket, nowMs)) {
      Long counted = tokens.get(bucket);
      long corrected = Math.max(0, (counted == null ? 0 : counted) + correction);
      tokens = corrected == 0 ? tokens.without(bucket) : tokens.with(bucket, corrected);
    }
    long dayTokens = current.dayTokens();
    if (Math.floorDiv(reservation.atMs(), DAY_MS) == current.day()) {
      dayTokens = Math.max(0, dayTokens + correction);
    }
    LedgerMap<String, Long> settled = LedgerMap.of(current.settled());
    if (settledKeepMs > 0) {
      settled = settled.with(requestId, nowMs);
    }
    return new TenantLedger(
        current.requests(),
        tokens,
        current.day(),
        dayTokens,
        LedgerMap.of(current.reservations()).without(requestId),
        settled);
  }

  /**
   * Gives back everything {@code requestId} reserved: its call was refused, failed or timed out.
   */
  public TenantLedger release(TenantLedger ledger, String requestId, long nowMs) {
    return settle(ledger, requestId, 0, nowMs);
  }

  /** Each present limit's figures at {@code nowMs}, for the headers of an answer. */
  public Map<LimitKind, Headroom> headroom(TenantLedger ledger, LimitSpec spec, long nowMs) {
    return figures(prune(ledger, spec, nowMs), spec, nowMs);
  }

  /** The ledger without what no longer counts at {@code nowMs}; see the class comment. */
  public TenantLedger prune(TenantLedger ledger, LimitSpec spec, long nowMs) {
    Objects.requireNonNull(ledger, "ledger");
    Objects.requireNonNull(spec, "spec");
    Map<Long, Long> requests =
        spec.requests() == null
            ? (ledger.requests().isEmpty() ? ledger.requests() : Map.of())
            : spec.requests().window().prune(ledger.requests(), nowMs);
    return pruneUsage(ledger, requests, nowMs);
  }

  /** Prunes everything but the request sub-buckets, which need the spec's window. */
  private TenantLedger pruneUsage(TenantLedger ledger, Map<Long, Long> requests, long nowMs) {
    long today = Math.floorDiv(nowMs, DAY_MS);
    boolean newDay = today > ledger.day();
    Map<Long, Long> tokens = SlidingWindow.MINUTE.prune(ledger.tokens(), nowMs);
    if (!newDay
        && requests == ledger.requests()
        && tokens == ledger.tokens()
        && !anyExpired(ledger, nowMs)) {
      // Nothing to forget, the usual case between two sub-bucket boundaries: no copy.
      return ledger;
    }
    LedgerMap<String, Reservation> reservations = LedgerMap.of(ledger.reservations());
    LedgerMap<String, Long> settled =
        LedgerMap.of(ledger.settled()).filter((id, atMs) -> !forgotten(atMs, nowMs));
    for (int i = 0; i < reservations.size(); i++) {
      if (settledKeepMs > 0 && lost(reservations.valueAt(i), nowMs)) {
        // A lost reservation is settled now, even if its id was settled before.
        settled = settled.with(reservations.keyAt(i), nowMs);
      }
    }
    return new TenantLedger(
        requests,
        tokens,
        newDay ? today : ledger.day(),
        newDay ? 0 : ledger.dayTokens(),
        reservations.filter((id, reservation) -> !lost(reservation, nowMs)),
        settled);
  }

  /** Whether a reservation has outlived {@code reservationMaxAgeMs} or a settled id its keep. */
  private boolean anyExpired(TenantLedger ledger, long nowMs) {
    for (Reservation reservation : ledger.reservations().values()) {
      if (lost(reservation, nowMs)) {
        return true;
      }
    }
    for (long atMs : ledger.settled().values()) {
      if (forgotten(atMs, nowMs)) {
        return true;
      }
    }
    return false;
  }

  /** A reservation whose settlement is given up as lost. */
  private boolean lost(Reservation reservation, long nowMs) {
    return nowMs - reservation.atMs() >= reservationMaxAgeMs;
  }

  /** A settled id past its keep window. */
  private boolean forgotten(long settledAtMs, long nowMs) {
    return nowMs - settledAtMs >= settledKeepMs;
  }

  /** Null when every limit fits; else the refusal. {@code ledger} is pruned. */
  private Refused refusal(TenantLedger ledger, LimitSpec spec, long tokens, long nowMs) {
    LimitKind refusedBy = null;
    long retryAfterMs = 0;
    boolean tooLarge = false;
    for (LimitKind kind : LimitKind.values()) {
      long wait = waitFor(kind, ledger, spec, tokens, nowMs);
      if (wait == FITS) {
        continue;
      }
      if (wait == NEVER) {
        if (!tooLarge) {
          refusedBy = kind;
          retryAfterMs = 0;
          tooLarge = true;
        }
      } else if (!tooLarge && (refusedBy == null || wait > retryAfterMs)) {
        refusedBy = kind;
        retryAfterMs = wait;
      }
    }
    return refusedBy == null
        ? null
        : new Refused(refusedBy, retryAfterMs, tooLarge, figures(ledger, spec, nowMs));
  }

  private static final long FITS = -1;
  private static final long NEVER = -2;

  /** Milliseconds until the reservation fits {@code kind}: {@link #FITS} or {@link #NEVER}. */
  private long waitFor(LimitKind kind, TenantLedger ledger, LimitSpec spec, long tokens, long now) {
    switch (kind) {
      case REQUESTS:
        if (spec.requests() == null) {
          return FITS;
        }
        SlidingWindow window = spec.requests().window();
        long admitted = window.sum(ledger.requests(), now);
        long excess = admitted + 1 - spec.requests().requests();
        return excess <= 0 ? FITS : window.untilFreed(ledger.requests(), excess, now);
      case TOKENS_PER_MINUTE:
        if (spec.tokensPerMinute() == null) {
          return FITS;
        }
        if (tokens > spec.tokensPerMinute()) {
          return NEVER;
        }
        long over =
            SlidingWindow.MINUTE.sum(ledger.tokens(), now) + tokens - spec.tokensPerMinute();
        return over <= 0 ? FITS : SlidingWindow.MINUTE.untilFreed(ledger.tokens(), over, now);
      case DAILY_TOKENS:
        if (spec.dailyTokens() == null) {
          return FITS;
        }
        if (tokens > spec.dailyTokens()) {
          return NEVER;
        }
        return ledger.dayTokens() + tokens <= spec.dailyTokens() ? FITS : untilTomorrow(now);
      case CONCURRENT:
        if (spec.concurrent() == null || ledger.reservations().size() < spec.concurrent()) {
          return FITS;
        }
        long oldest = Long.MAX_VALUE;
        for (Reservation reservation : ledger.reservations().values()) {
          oldest = Math.min(oldest, reservation.atMs());
        }
        // An upper bound: a settlement usually frees a slot sooner.
        return oldest + reservationMaxAgeMs - now;
      default:
        throw new IllegalStateException("unknown limit " + kind);
    }
  }

  private static TenantLedger count(
      TenantLedger ledger, LimitSpec spec, String requestId, long tokens, long nowMs) {
    Map<Long, Long> requests = ledger.requests();
    if (spec.requests() != null) {
      requests = SlidingWindow.plus(requests, spec.requests().window().bucketAt(nowMs), 1);
    }
    Map<Long, Long> tokenBuckets = ledger.tokens();
    if (tokens > 0) {
      tokenBuckets = SlidingWindow.plus(tokenBuckets, SlidingWindow.MINUTE.bucketAt(nowMs), tokens);
    }
    return new TenantLedger(
        requests,
        tokenBuckets,
        ledger.day(),
        ledger.dayTokens() + tokens,
        LedgerMap.of(ledger.reservations()).with(requestId, new Reservation(tokens, nowMs)),
        ledger.settled());
  }

  /** The figures of every limit {@code spec} has. {@code ledger} is pruned. */
  private Map<LimitKind, Headroom> figures(TenantLedger ledger, LimitSpec spec, long nowMs) {
    Map<LimitKind, Headroom> figures = new EnumMap<>(LimitKind.class);
    RequestLimit requests = spec.requests();
    if (requests != null) {
      SlidingWindow window = requests.window();
      long admitted = window.sum(ledger.requests(), nowMs);
      figures.put(
          LimitKind.REQUESTS,
          new Headroom(
              requests.requests(),
              Math.max(0, requests.requests() - admitted),
              window.untilEmpty(ledger.requests(), nowMs)));
    }
    if (spec.tokensPerMinute() != null) {
      long used = SlidingWindow.MINUTE.sum(ledger.tokens(), nowMs);
      figures.put(
          LimitKind.TOKENS_PER_MINUTE,
          new Headroom(
              spec.tokensPerMinute(),
              Math.max(0, spec.tokensPerMinute() - used),
              SlidingWindow.MINUTE.untilEmpty(ledger.tokens(), nowMs)));
    }
    if (spec.dailyTokens() != null) {
      figures.put(
          LimitKind.DAILY_TOKENS,
          new Headroom(
              spec.dailyTokens(),
              Math.max(0, spec.dailyTokens() - ledger.dayTokens()),
              ledger.dayTokens() == 0 ? 0 : untilTomorrow(nowMs)));
    }
    if (spec.concurrent() != null) {
      long newest = Long.MIN_VALUE;
      for (Reservation reservation : ledger.reservations().values()) {
        newest = Math.max(newest, reservation.atMs());
      }
      int inFlight = ledger.reservations().size();
      figures.put(
          LimitKind.CONCURRENT,
          new Headroom(
              spec.concurrent(),
              Math.max(0, spec.concurrent() - inFlight),
              inFlight == 0 ? 0 : newest + reservationMaxAgeMs - nowMs));
    }
    return figures;
  }

  private static long untilTomorrow(long nowMs) {
    return (Math.floorDiv(nowMs, DAY_MS) + 1) * DAY_MS - nowMs;
  }
}

package dev.sluice.pipeline.ratelimit;

import dev.sluice.pipeline.chain.AsyncStage;
import dev.sluice.pipeline.chain.Exchange;
import dev.sluice.pipeline.chain.Flushing;
import dev.sluice.pipeline.chain.Settling;
import dev.sluice.pipeline.chain.Stage;
import dev.sluice.pipeline.chain.TaskScoped;
import dev.sluice.pipeline.chain.Verdict;
import dev.sluice.pipeline.ratelimit.LimitDecision.Allowed;
import dev.sluice.pipeline.ratelimit.LimitDecision.AlreadySettled;
import dev.sluice.pipeline.ratelimit.LimitDecision.Refused;
import dev.sluice.pipeline.ratelimit.LimitDecision.Unchecked;
import dev.sluice.pipeline.stage.Refusal;
import dev.sluice.policy.RateLimitPolicy;
import dev.sluice.policy.TenantRateLimits.ScopedLimits;
import dev.sluice.schemas.StageName;
import dev.sluice.schemas.audit.RateLimitRecord;
import dev.sluice.schemas.envelope.Source;
import dev.sluice.schemas.envelope.VerifiedRequest;
import dev.sluice.schemas.reply.ErrorCode;
import dev.sluice.schemas.reply.GatewayError;
import dev.sluice.schemas.reply.Usage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToIntFunction;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * The rate-limit stage: after policy and the prompt's guardrails, right before the provider call.
 * It reserves one request and the call's tokens (prompt, counted with the model's tokenizer, plus
 * the completion cap) in every ledger the request counts in ({@link RateLimitPolicy#ledgers}), and
 * settles the reservation once the request ends, whichever stage ends it ({@link Settling}): with
 * the tokens the provider reported, or nothing when the call was refused, failed or timed out.
 *
 * <p>Over a limit, an interactive request gets 429 {@code rate_limited} with the time until it
 * would fit; a batch request is held ({@link Verdict.Hold}) and tried again then, so a batch drains
 * at the tenant's rate, for at most {@code maxHoldMs}. A reservation larger than the tokens limit
 * itself can never pass and gets 400 {@code max_tokens_too_large}; a request id settled moments ago
 * (an envelope produced twice) gets 409 {@code duplicate_request}, so that reusing an id is never a
 * way past the limits. A limiter that cannot decide fails closed: 503 {@code
 * rate_limiter_unavailable}.
 *
 * <p>The stage in {@link dev.sluice.pipeline.Stages} is a template: with the state store each task
 * gets its own, bound to that task's ledgers ({@link TaskScoped}); with Redis every task shares one
 * limiter.
 */
public final class RateLimitStage implements AsyncStage<RateLimitStage.Reserved>, TaskScoped {
  public static final StageName NAME = StageName.RATE_LIMIT;

  /** When a request refused for concurrency (or a batch request held for it) tries again. */
  static final long CONCURRENT_RETRY_MS = 1_000;

  /** How often a task forgets what no longer counts (settled ids, idle ledgers). */
  static final Duration PRUNE_INTERVAL = Duration.ofSeconds(1);

  private final RateLimitPolicy policy;
  private final TokenEstimate tokens;
  private final ToIntFunction<String> completionCap;
  private final Backend backend;
  private final long maxHoldMs;
  private final Map<Scope, List<LimitKey>> keys = new ConcurrentHashMap<>();

  /** Where the ledgers are. */
  public sealed interface Backend {}

  /**
   * In a changelogged store of each task.
   *
   * @param reservationMaxAgeMs when a reservation whose settlement was lost is given up
   * @param settledKeepMs how long a settled id is remembered
   */
  public record InStore(long reservationMaxAgeMs, long settledKeepMs) implements Backend {}

  /** In a limiter every task and instance shares (Redis). */
  public record Shared(Limiter limiter) implements Backend {
    public Shared {
      Objects.requireNonNull(limiter, "limiter");
    }
  }

  /**
   * What {@link #start} reserved: the ledgers and tokens, and the limiter's decision.
   *
   * @param decision null when no ledger has a limit (nothing was reserved) or the limiter could not
   *     decide
   * @param unavailable the limiter could not decide (Redis unreachable, fail closed)
   */
  public record Reserved(
      List<LimitKey> keys, long tokens, LimitDecision decision, boolean unavailable) {}

  /**
   * @param completionCap per tenant, the completion a request without {@code max_tokens} may get
   *     (its {@code MAX_TOKENS_CAP}): what it reserves for the answer
   * @param maxHoldMs how long a batch request may be held for its limits before it is refused
   */
  public RateLimitStage(
      RateLimitPolicy policy,
      TokenEstimate tokens,
      ToIntFunction<String> completionCap,
      Backend backend,
      long maxHoldMs) {
    this.policy = Objects.requireNonNull(policy, "policy");
    this.tokens = Objects.requireNonNull(tokens, "tokens");
    this.completionCap = Objects.requireNonNull(completionCap, "completionCap");
    this.backend = Objects.requireNonNull(backend, "backend");
    this.maxHoldMs = maxHoldMs;
  }

  @Override
  public StageName name() {
    return NAME;
  }

  @Override
  public List<StoreBuilder<?>> stores(String prefix) {
    return backend instanceof InStore ? StoreLimiter.stores(prefix) : List.of();
  }

  @Override
  public Stage forTask(String prefix, ProcessorContext<?, ?> context) {
    if (backend instanceof Shared shared) {
      return new Bound(this, shared.limiter());
    }
    InStore inStore = (InStore) backend;
    KeyValueStore<String, TenantLedger> ledgers =
        context.getStateStore(prefix + StoreLimiter.LEDGERS_SUFFIX);
    KeyValueStore<String, Map<String, Long>> settled =
        context.getStateStore(prefix + StoreLimiter.SETTLED_SUFFIX);
    StoreLimiter limiter =
        new StoreLimiter(
            inStore.reservationMaxAgeMs(),
            inStore.settledKeepMs(),
            ledgers,
            settled,
            context::currentSystemTimeMs);
    context.schedule(PRUNE_INTERVAL, PunctuationType.WALL_CLOCK_TIME, now -> limiter.prune());
    return new Bound(this, limiter);
  }

  @Override
  public CompletableFuture<Reserved> start(Exchange exchange, long deadlineMs) {
    throw new IllegalStateException("the rate-limit stage runs bound to a task (forTask)");
  }

  @Override
  public Verdict resume(Exchange exchange, Reserved result, long nowMs) {
    throw new IllegalStateException("the rate-limit stage runs bound to a task (forTask)");
  }

  @Override
  public Refusal failed(Throwable failure) {
    return unavailable();
  }

  /** The stage as one task runs it, with its limiter. */
  static final class Bound implements AsyncStage<Reserved>, Settling, Flushing {
    private final RateLimitStage stage;
    private final Limiter limiter;

    Bound(RateLimitStage stage, Limiter limiter) {
      this.stage = stage;
      this.limiter = limiter;
    }

    @Override
    public StageName name() {
      return NAME;
    }

    @Override
    public CompletableFuture<Reserved> start(Exchange exchange, long deadlineMs) {
      List<LimitKey> keys = stage.keys(exchange.request());
      if (keys.isEmpty()) {
        return CompletableFuture.completedFuture(new Reserved(keys, 0, null, false));
      }
      long reserved = stage.reservation(exchange, keys);
      // A limiter that cannot decide is answered here, not through failed(), so that the audit
      // record says so; a call past the request's deadline still goes through failed().
      return limiter
          .reserve(keys, exchange.requestId(), reserved)
          .handle(
              (decision, failure) ->
                  new Reserved(keys, reserved, failure == null ? decision : null, failure != null));
    }

    @Override
    public Verdict resume(Exchange exchange, Reserved result, long nowMs) {
      return stage.decide(exchange, result, nowMs);
    }

    @Override
    public Refusal failed(Throwable failure) {
      return unavailable();
    }

    @Override
    public void flush() {
      if (limiter instanceof StoreLimiter store) {
        store.flush();
      }
    }

    @Override
    public Exchange settled(Exchange exchange, long nowMs) {
      LimitTicket ticket = exchange.rateLimit();
      if (ticket == null || !ticket.reserved()) {
        return exchange;
      }
      long used = usedTokens(exchange, ticket);
      limiter.settle(ticket.keys(), exchange.requestId(), used);
      return exchange.withRateLimit(ticket.settledWith(used));
    }
  }

  /** The ledgers of a request with at least one limit; empty when none has any. */
  List<LimitKey> keys(VerifiedRequest request) {
    // Worked out once per tenant, model and source: they derive from the bundle and the
    // environment, which never change while the pipeline runs, and every request asks. Validation
    // has already refused models the gateway does not serve, so the map stays small.
    return keys.computeIfAbsent(
        new Scope(request.principal().tenant(), request.request().model(), request.source()),
        this::resolveKeys);
  }

  /** What a request's ledgers depend on. */
  private record Scope(String tenant, String model, Source source) {}

  private List<LimitKey> resolveKeys(Scope scope) {
    String tenant = scope.tenant();
    List<ScopedLimits> scoped = policy.ledgers(tenant, scope.model(), scope.source());
    List<LimitKey> resolved = new ArrayList<>(scoped.size());
    boolean limited = false;
    for (ScopedLimits ledger : scoped) {
      LimitSpec spec = LimitSpec.of(ledger.limits());
      limited |= !spec.unlimited();
      resolved.add(new LimitKey(tenant, ledger.scope(), spec));
    }
    return limited ? List.copyOf(resolved) : List.of();
  }

  /**
   * Tokens to reserve: counted only when some ledger limits tokens (the tokenizer is the costly
   * part of this stage), so tokens are not tracked for a tenant that limits only requests or
   * concurrency.
   */
  long reservation(Exchange exchange, List<LimitKey> keys) {
    for (LimitKey key : keys) {
      if (key.spec().tokensPerMinute() != null || key.spec().dailyTokens() != null) {
        int cap = completionCap.applyAsInt(exchange.request().principal().tenant());
        return tokens.reservation(exchange, cap);
      }
    }
    return 0;
  }

  Verdict decide(Exchange exchange, Reserved result, long nowMs) {
    LimitDecision decision = result.decision();
    if (result.unavailable()) {
      return Verdict.stop(
          unavailable(),
          exchange.withRateLimit(uncounted(RateLimitRecord.Decision.UNAVAILABLE, result)));
    }
    if (decision == null) {
      return Verdict.next(exchange);
    }
    if (decision instanceof Allowed) {
      return Verdict.next(
          exchange.withRateLimit(
              ticket(result, RateLimitRecord.Decision.ALLOWED, null, decision.headroom(), null)));
    }
    if (decision instanceof Unchecked) {
      return Verdict.next(
          exchange.withRateLimit(uncounted(RateLimitRecord.Decision.UNCHECKED, result)));
    }
    if (decision instanceof AlreadySettled) {
      return Verdict.stop(
          Refusal.of(
              NAME,
              ErrorCode.DUPLICATE_REQUEST,
              "this request id was answered moments ago; send a new request with a new id"));
    }
    Refused refused = (Refused) decision;
    if (refused.tooLarge()) {
      LimitTicket ticket =
          unreserved(
              ticket(result, RateLimitRecord.Decision.REFUSED, refused, refused.headroom(), null));
      return Verdict.stop(tooLarge(result.tokens(), refused), exchange.withRateLimit(ticket));
    }
    long retryAfterMs = Math.max(1, refused.retryAfterMs());
    if (refused.limit() == LimitKind.CONCURRENT) {
      // The limiter knows only when a lost settlement would free a slot (minutes); a call that
      // ends frees one far sooner, so the caller is told to look again shortly.
      retryAfterMs = Math.min(retryAfterMs, CONCURRENT_RETRY_MS);
    }
    if (exchange.request().source() == Source.BATCH && exchange.heldMs() < maxHoldMs) {
      return Verdict.hold(nowMs + retryAfterMs);
    }
    LimitTicket ticket =
        unreserved(
            ticket(
                result,
                RateLimitRecord.Decision.REFUSED,
                refused,
                refused.headroom(),
                retryAfterMs));
    int seconds = (int) Math.min(Integer.MAX_VALUE, (retryAfterMs + 999) / 1000);
    Refusal refusal =
        new Refusal(
            NAME,
            ErrorCode.RATE_LIMITED,
            ErrorCode.RATE_LIMITED.error(
                "rate limit reached for "
                    + describe(refused.limit())
                    + "; retry after "
                    + seconds
                    + " s",
                null,
                List.of(wireName(refused.limit()))),
            seconds);
    return Verdict.stop(refusal, exchange.withRateLimit(ticket));
  }

  private static Refusal tooLarge(long reserved, Refused refused) {
    long limit = refused.headroom(refused.limit()).map(Headroom::limit).orElse(0L);
    GatewayError error =
        ErrorCode.MAX_TOKENS_TOO_LARGE.error(
            "this request reserves "
                + reserved
                + " tokens (its prompt plus max_tokens or the default cap), more than the "
                + describe(refused.limit())
                + " limit of "
                + limit
                + "; lower max_tokens or shorten the prompt",
            "max_tokens",
            List.of(wireName(refused.limit())));
    return new Refusal(NAME, ErrorCode.MAX_TOKENS_TOO_LARGE, error, null);
  }

  private static LimitTicket ticket(
      Reserved result,
      RateLimitRecord.Decision decision,
      Refused refused,
      Map<LimitKind, Headroom> headroom,
      Long retryAfterMs) {
    LimitKind deciding = refused != null ? refused.limit() : tightest(headroom);
    Headroom figures = deciding == null ? null : headroom.get(deciding);
    RateLimitRecord record =
        new RateLimitRecord(
            decision,
            deciding == null ? null : wireName(deciding),
            figures == null ? null : figures.limit(),
            figures == null ? null : figures.remaining(),
            figures == null ? null : figures.resetMs(),
            retryAfterMs,
            result.tokens(),
            null);
    return new LimitTicket(
        result.keys(), result.tokens(), record, RateLimitFigures.of(headroom, retryAfterMs));
  }

  /**
   * The ticket of a request the limiter could not count (Redis unreachable): nothing to settle, no
   * figures, only the decision and what would have been reserved.
   */
  private static LimitTicket uncounted(RateLimitRecord.Decision decision, Reserved result) {
    return new LimitTicket(
        List.of(),
        0,
        new RateLimitRecord(decision, null, null, null, null, null, result.tokens(), null),
        null);
  }

  /** A refused request's ticket: nothing to settle. */
  private static LimitTicket unreserved(LimitTicket ticket) {
    return new LimitTicket(List.of(), 0, ticket.record(), ticket.figures());
  }

  /** The limit with the smallest share left. */
  private static LimitKind tightest(Map<LimitKind, Headroom> headroom) {
    LimitKind tightest = null;
    double least = Double.MAX_VALUE;
    for (Map.Entry<LimitKind, Headroom> entry : headroom.entrySet()) {
      double share = (double) entry.getValue().remaining() / entry.getValue().limit();
      if (share < least) {
        least = share;
        tightest = entry.getKey();
      }
    }
    return tightest;
  }

  /**
   * What a call used: the provider's {@code usage}; the reservation itself when it answered without
   * one (nothing is given back that may have been used); nothing when it never answered.
   */
  static long usedTokens(Exchange exchange, LimitTicket ticket) {
    if (exchange.completion() == null) {
      return 0;
    }
    Usage usage = exchange.completion().usage();
    return usage == null ? ticket.reservedTokens() : Math.max(0, usage.totalTokens());
  }

  static String wireName(LimitKind kind) {
    return kind.name().toLowerCase(Locale.ROOT);
  }

  private static String describe(LimitKind kind) {
    return switch (kind) {
      case REQUESTS -> "requests per window";
      case TOKENS_PER_MINUTE -> "tokens per minute";
      case DAILY_TOKENS -> "daily tokens";
      case CONCURRENT -> "concurrent requests";
    };
  }

  private static Refusal unavailable() {
    return Refusal.of(
        NAME,
        ErrorCode.RATE_LIMITER_UNAVAILABLE,
        "the rate limiter cannot be reached; the request was not sent (fail closed)");
  }
}

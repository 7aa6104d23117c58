package dev.sluice.pipeline;

import dev.sluice.auth.TokenVerifier;
import dev.sluice.egress.Provider;
import dev.sluice.egress.ProviderRouter;
import dev.sluice.egress.StubProvider;
import dev.sluice.egress.circuit.CircuitBreakingProvider;
import dev.sluice.pipeline.auth.EnvelopeAuthenticator;
import dev.sluice.pipeline.chain.CallBudget;
import dev.sluice.pipeline.chain.Stage;
import dev.sluice.pipeline.firewall.ContextFirewall;
import dev.sluice.pipeline.firewall.FirewallSettings;
import dev.sluice.pipeline.firewall.risk.InjectionScorer;
import dev.sluice.pipeline.firewall.spotlight.Spotlight;
import dev.sluice.pipeline.firewall.spotlight.SpotlightContext;
import dev.sluice.pipeline.firewall.spotlight.SpotlightMode;
import dev.sluice.pipeline.policy.LocalPolicy;
import dev.sluice.pipeline.policy.OpaPolicy;
import dev.sluice.pipeline.provider.ModelChains;
import dev.sluice.pipeline.provider.ProviderStage;
import dev.sluice.pipeline.provider.ServedModels;
import dev.sluice.pipeline.ratelimit.RateLimitSettings;
import dev.sluice.pipeline.ratelimit.RateLimitStage;
import dev.sluice.pipeline.ratelimit.RedisLimiter;
import dev.sluice.pipeline.ratelimit.TokenEstimate;
import dev.sluice.pipeline.redaction.RedactAnswer;
import dev.sluice.pipeline.redaction.RedactPrompt;
import dev.sluice.pipeline.validation.ValidateRequest;
import dev.sluice.pipeline.validation.ValidationLimits;
import dev.sluice.policy.OpaSettings;
import dev.sluice.policy.PolicyBundle;
import dev.sluice.policy.RateLimitPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the running stages from a {@link PipelineConfig}: the token verifier, the providers and
 * their threads, OPA's client, and the stage chain in ARCHITECTURE order. It owns what it started
 * and stops it on {@link #close()}.
 */
public final class PipelineWiring implements AutoCloseable {
  private static final Logger LOGGER = LoggerFactory.getLogger(PipelineWiring.class);

  private final Stages stages;
  private final TokenVerifier verifier;
  private final List<ExecutorService> threads;
  private final Optional<RedisLimiter> redis;
  private final RateLimitSettings.RedisDown onRedisDown;

  private PipelineWiring(
      Stages stages,
      TokenVerifier verifier,
      List<ExecutorService> threads,
      Optional<RedisLimiter> redis,
      RateLimitSettings.RedisDown onRedisDown) {
    this.stages = stages;
    this.verifier = verifier;
    this.threads = List.copyOf(threads);
    this.redis = redis;
    this.onRedisDown = onRedisDown;
  }

  /**
   * @throws dev.sluice.config.ConfigException when a provider's base URL is outside the egress
   *     allowlist
   */
  public static PipelineWiring wire(PipelineConfig config) {
    List<ExecutorService> threads = new ArrayList<>();
    TokenVerifier verifier = TokenVerifier.create(config.auth());
    RateLimitSettings limits = config.rateLimits();
    Optional<RedisLimiter> redis = Optional.empty();
    try {
      if (limits.redis().isPresent() && config.rateLimitPolicy().anySet()) {
        redis =
            Optional.of(
                RedisLimiter.connect(
                    limits.redis().get(),
                    limits.onRedisDown(),
                    SETTLED_KEEP_MS,
                    reservationMaxAgeMs(config)));
      }
      Stages stages = stages(config, verifier, threads, redis);
      return new PipelineWiring(stages, verifier, threads, redis, limits.onRedisDown());
    } catch (RuntimeException e) {
      threads.forEach(ExecutorService::shutdownNow);
      redis.ifPresent(RedisLimiter::close);
      verifier.close();
      throw e;
    }
  }

  public Stages stages() {
    return stages;
  }

  /** The token verifier the stages use, for the reply endpoint's callers too. */
  public TokenVerifier verifier() {
    return verifier;
  }

  /**
   * Whether the pipeline's own dependencies let it answer: false while Redis, which holds the rate
   * limits, does not answer and {@code RATE_LIMIT_ON_REDIS_DOWN=deny} refuses every limited request
   * (with {@code allow} it admits them unchecked, and stays ready).
   */
  public boolean dependenciesReady() {
    return redis.isEmpty()
        || redis.get().available()
        || onRedisDown == RateLimitSettings.RedisDown.ALLOW;
  }

  /** Where the rate limits are kept, for the health report: off, state-store, or Redis's state. */
  public String rateLimiter() {
    if (redis.isPresent()) {
      return redis.get().available() ? "redis" : "redis-unreachable";
    }
    return stages.chain().stream().anyMatch(s -> s instanceof RateLimitStage)
        ? "state-store"
        : "off";
  }

  @Override
  public void close() {
    threads.forEach(ExecutorService::shutdownNow);
    redis.ifPresent(RedisLimiter::close);
    verifier.close();
  }

  private static Stages stages(
      PipelineConfig config,
      TokenVerifier verifier,
      List<ExecutorService> threads,
      Optional<RedisLimiter> redis) {
    PolicyBundle policy = config.policy();
    List<Stage> chain = new ArrayList<>();
    Function<String, ValidationLimits> limits =
        perTenant(tenant -> config.limits().forTenant(policy.forTenant(tenant)));
    Function<String, FirewallSettings> firewall =
        perTenant(tenant -> config.firewall().forTenant(policy.forTenant(tenant)));
    chain.add(new ValidateRequest(config.models(), limits));
    chain.add(
        new ContextFirewall(
            config.contextOrigins(),
            firewall,
            InjectionScorer.forRetrievedContext(),
            InjectionScorer.forUserPrompt()));
    chain.add(new LocalPolicy(policy));
    if (config.opa().url().isPresent()) {
      chain.add(opaPolicy(config.opa(), config.rateLimitPolicy(), threads));
    }
    chain.add(new RedactPrompt(config.redaction()::prompts));
    // After prompt redaction, which must see the chunks' plain text (SpotlightContext says why);
    // it also builds the provider's copy without hidden text.
    chain.add(
        new SpotlightContext(
            perTenant(tenant -> SpotlightMode.of(policy.forTenant(tenant))),
            limits,
            Spotlight.randomBoundaries(),
            tenant -> firewall.apply(tenant).stripHiddenText()));
    RateLimitPolicy rateLimits = config.rateLimitPolicy();
    if (rateLimits.anySet()) {
      // After the guardrails that may refuse for free, right before the call that costs.
      chain.add(rateLimitStage(config, rateLimits, limits, redis));
    }
    chain.add(
        new ProviderStage(
            new ProviderRouter(providers(config, threads)),
            ModelChains.fromPolicy(policy::forTenant)));
    chain.add(new RedactAnswer(config.redaction()::answers));
    PipelineSettings settings = config.pipeline();
    return new Stages(
        new EnvelopeAuthenticator(verifier),
        chain,
        new CallBudget(
            settings.maxInFlight(), settings.maxInFlightWaitMs(), settings.providerDeadlineMs()),
        Duration.ofMillis(Math.max(1, settings.pollMs())),
        config.policyMode(),
        Optional.ofNullable(policy.version()));
  }

  /**
   * A tenant's settings, worked out once: they derive from the bundle and the environment, which
   * never change while the pipeline runs, and stages ask for them on every request.
   */
  static <T> Function<String, T> perTenant(Function<String, T> resolve) {
    Map<String, T> resolved = new ConcurrentHashMap<>();
    return tenant -> resolved.computeIfAbsent(tenant, resolve);
  }

  /**
   * The providers this pipeline can call: always the stub, plus every provider whose key is
   * configured. Their HTTP clients share a few threads and one retry timer; calls wait on none of
   * them, so thousands of calls can be in flight at once.
   */
  private static List<Provider> providers(PipelineConfig config, List<ExecutorService> threads) {
    List<Provider> providers = new ArrayList<>();
    providers.add(new StubProvider(config.pipeline().stubDelayMs()));
    ExecutorService http = Executors.newFixedThreadPool(2, daemonThreads("provider-http"));
    threads.add(http);
    ScheduledExecutorService retries =
        Executors.newSingleThreadScheduledExecutor(daemonThreads("provider-retry"));
    threads.add(retries);
    for (Provider provider : config.providers().build(http, retries)) {
      providers.add(new CircuitBreakingProvider(provider, config.circuit()));
      // A provider's toString shows its name and base URL, never its key.
      LOGGER.atInfo().addKeyValue("provider", provider).log("provider configured");
    }
    ServedModels.of(config.models(), providers.stream().map(Provider::name).toList()).log();
    return providers;
  }

  /**
   * The rate-limit stage over the task's state store, or over Redis with {@code REDIS_URL}. A
   * reservation whose settlement was lost is given up after twice the provider deadline, when no
   * call can still be running; settled ids are remembered for {@link #SETTLED_KEEP_MS}, well past
   * the commit that covers their record.
   */
  private static RateLimitStage rateLimitStage(
      PipelineConfig config,
      RateLimitPolicy rateLimits,
      Function<String, ValidationLimits> limits,
      Optional<RedisLimiter> redis) {
    RateLimitSettings settings = config.rateLimits();
    RateLimitStage.Backend backend =
        redis.isPresent()
            ? new RateLimitStage.Shared(redis.get())
            : new RateLimitStage.InStore(reservationMaxAgeMs(config), SETTLED_KEEP_MS);
    LOGGER
        .atInfo()
        .addKeyValue("backend", redis.map(r -> "redis " + r.address()).orElse("state store"))
        .addKeyValue("onRedisDown", redis.isPresent() ? settings.onRedisDown() : null)
        .log("rate limits on");
    return new RateLimitStage(
        rateLimits,
        new TokenEstimate(),
        tenant -> limits.apply(tenant).maxTokensCap(),
        backend,
        settings.batchMaxWaitMs());
  }

  /** Twice the provider deadline: by then no call of the reservation can still be running. */
  private static long reservationMaxAgeMs(PipelineConfig config) {
    return 2 * config.pipeline().providerDeadlineMs();
  }

  /** How long a settled request id is remembered by the state-store limiter. */
  static final long SETTLED_KEEP_MS = 10_000;

  /**
   * OPA's client runs on two threads of its own: never the stream threads, never the common pool.
   */
  private static OpaPolicy opaPolicy(
      OpaSettings opa, RateLimitPolicy rateLimits, List<ExecutorService> threads) {
    ExecutorService executor = Executors.newFixedThreadPool(2, daemonThreads("opa-client"));
    threads.add(executor);
    LOGGER.atInfo().addKeyValue("timeoutMs", opa.timeout().toMillis()).log("policy mode OPA");
    return new OpaPolicy(opa.url().orElseThrow(), opa.timeout(), rateLimits, executor);
  }

  private static ThreadFactory daemonThreads(String prefix) {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, prefix + "-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}

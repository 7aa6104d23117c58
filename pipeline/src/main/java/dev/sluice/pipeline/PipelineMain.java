package dev.sluice.pipeline;

import dev.sluice.auth.AuthSettings;
import dev.sluice.auth.TokenVerifier;
import dev.sluice.config.ConfigException;
import dev.sluice.config.Env;
import dev.sluice.config.ParentWatch;
import dev.sluice.egress.ConfiguredProviders;
import dev.sluice.egress.Provider;
import dev.sluice.egress.ProviderRouter;
import dev.sluice.egress.StubProvider;
import dev.sluice.egress.circuit.CircuitBreakingProvider;
import dev.sluice.egress.circuit.CircuitSettings;
import dev.sluice.pipeline.audit.AuditTopology;
import dev.sluice.pipeline.auth.EnvelopeAuthenticator;
import dev.sluice.pipeline.firewall.ContextFirewall;
import dev.sluice.pipeline.firewall.ContextOrigins;
import dev.sluice.pipeline.firewall.FirewallSettings;
import dev.sluice.pipeline.firewall.risk.InjectionScorer;
import dev.sluice.pipeline.policy.LocalPolicy;
import dev.sluice.pipeline.policy.OpaPolicy;
import dev.sluice.pipeline.provider.CallBudget;
import dev.sluice.pipeline.provider.ModelChains;
import dev.sluice.pipeline.provider.ServedModels;
import dev.sluice.pipeline.redaction.RedactAnswer;
import dev.sluice.pipeline.redaction.RedactPrompt;
import dev.sluice.pipeline.redaction.TenantRedaction;
import dev.sluice.pipeline.validation.ValidateRequest;
import dev.sluice.pipeline.validation.ValidationLimits;
import dev.sluice.policy.EnabledModels;
import dev.sluice.policy.ModelAccess;
import dev.sluice.policy.OpaSettings;
import dev.sluice.policy.PolicyBundle;
import dev.sluice.policy.PolicyException;
import dev.sluice.topics.TopicProvisioner;
import dev.sluice.topics.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts the pipeline: reads configuration, wires the stages, runs the topology. */
public final class PipelineMain {
  private static final Logger LOGGER = LoggerFactory.getLogger(PipelineMain.class);

  private PipelineMain() {}

  public static void main(String[] args) throws Exception {
    Env env = Env.load();
    ParentWatch.startIfAsked(env);
    PipelineSettings settings;
    AuthSettings authSettings;
    ValidationLimits limits;
    ContextOrigins origins;
    PolicyBundle policy;
    ModelAccess models;
    TenantRedaction redaction;
    FirewallSettings firewall;
    OpaSettings opaSettings;
    OpaPolicy opa;
    List<Provider> providers;
    try {
      settings = PipelineSettings.from(env);
      authSettings = AuthSettings.from(env);
      limits = ValidationLimits.from(env);
      origins = ContextOrigins.from(env);
      policy = PolicyBundle.configured(env);
      models = new ModelAccess(EnabledModels.from(env), policy);
      redaction = TenantRedaction.from(env, policy);
      firewall = FirewallSettings.from(env);
      opaSettings = OpaSettings.from(env);
      opa = opaPolicy(opaSettings);
      ModelChains.check(models, policy, policy.tenantsWithOverrides());
      providers = providers(env, settings);
      firewall.forTenant(policy.forTenant("-"));
      for (String tenant : policy.tenantsWithOverrides()) {
        firewall.forTenant(policy.forTenant(tenant));
      }
    } catch (ConfigException | PolicyException | IllegalArgumentException e) {
      System.err.println("sluice pipeline: " + e.getMessage());
      System.exit(2);
      return;
    }
    if (authSettings.devMode()) {
      LOGGER.atWarn().log("DEV_MODE is on: the dev-token credential is accepted (tenant dev)");
    }
    if (policy.fromFiles()) {
      LOGGER.atInfo().addKeyValue("version", policy.version()).log("policy bundle loaded");
    } else {
      LOGGER
          .atWarn()
          .log("no policy bundle (POLICY_DIR): environment defaults apply to every tenant");
    }
    ServedModels.of(models, providers.stream().map(Provider::name).toList()).log();
    try (Admin admin = Admin.create(settings.kafka().clientProperties())) {
      List<String> created = TopicProvisioner.ensure(admin, settings.topics());
      if (!created.isEmpty()) {
        LOGGER.atInfo().addKeyValue("topics", created).log("created missing topics");
      }
    }

    TokenVerifier verifier = TokenVerifier.create(authSettings);
    Stages stages =
        new Stages(
            new EnvelopeAuthenticator(verifier),
            List.of(
                new ValidateRequest(
                    models, perTenant(tenant -> limits.forTenant(policy.forTenant(tenant)))),
                new ContextFirewall(
                    origins,
                    perTenant(tenant -> firewall.forTenant(policy.forTenant(tenant))),
                    InjectionScorer.forRetrievedContext(),
                    InjectionScorer.forUserPrompt()),
                new LocalPolicy(policy),
                new RedactPrompt(redaction::prompts)),
            new ProviderRouter(providers),
            new CallBudget(settings.maxInFlight(), 30_000, settings.providerDeadlineMs()),
            Duration.ofMillis(Math.max(1, settings.pollMs())),
            List.of(new RedactAnswer(redaction::answers)),
            opaSettings.mode().name(),
            policy.version(),
            opa,
            ModelChains.fromPolicy(policy::forTenant));
    Properties properties = streamsProperties(settings);
    // Naming enforcement is a topology setting: the builder has to see the config.
    KafkaStreams streams =
        start(
            "pipeline",
            GatewayTopology.build(
                new StreamsBuilder(new TopologyConfig(new StreamsConfig(properties))), stages),
            properties);
    Properties auditProperties = auditProperties(settings);
    KafkaStreams audit =
        start(
            "audit",
            AuditTopology.build(
                new StreamsBuilder(new TopologyConfig(new StreamsConfig(auditProperties))),
                auditProperties.getProperty(StreamsConfig.APPLICATION_ID_CONFIG)),
            auditProperties);

    PipelineHealth health =
        new PipelineHealth(settings.healthPort(), () -> combined(streams.state(), audit.state()));
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  streams.close(Duration.ofSeconds(20));
                  audit.close(Duration.ofSeconds(20));
                  health.close();
                  verifier.close();
                  stopped.countDown();
                },
                "pipeline-shutdown"));
    streams.start();
    audit.start();
    LOGGER
        .atInfo()
        .addKeyValue("instance", settings.instanceId())
        .addKeyValue("healthPort", health.port())
        .log("pipeline started");
    stopped.await();
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
  static List<Provider> providers(Env env, PipelineSettings settings) {
    List<Provider> providers = new ArrayList<>();
    providers.add(new StubProvider(settings.stubDelayMs()));
    CircuitSettings circuit = CircuitSettings.from(env);
    ExecutorService http = Executors.newFixedThreadPool(2, daemonThreads("provider-http"));
    ScheduledExecutorService retries =
        Executors.newSingleThreadScheduledExecutor(daemonThreads("provider-retry"));
    for (Provider provider : ConfiguredProviders.from(env, http, retries)) {
      providers.add(new CircuitBreakingProvider(provider, circuit));
      // A provider's toString shows its name and base URL, never its key.
      LOGGER.atInfo().addKeyValue("provider", provider).log("provider configured");
    }
    return providers;
  }

  private static ThreadFactory daemonThreads(String prefix) {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, prefix + "-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  /**
   * OPA mode when {@code OPA_URL} is set: its denials are asked before every provider call, on two
   * threads of their own (never the stream threads, never the common pool).
   */
  static OpaPolicy opaPolicy(OpaSettings settings) {
    if (settings.url().isEmpty()) {
      return null;
    }
    ExecutorService executor = Executors.newFixedThreadPool(2, daemonThreads("opa-client"));
    LOGGER.atInfo().addKeyValue("timeoutMs", settings.timeout().toMillis()).log("policy mode OPA");
    return new OpaPolicy(settings.url().get(), settings.timeout(), executor);
  }

  private static KafkaStreams start(String name, Topology topology, Properties properties) {
    KafkaStreams streams = new KafkaStreams(topology, properties);
    streams.setUncaughtExceptionHandler(
        e -> {
          LOGGER
              .atError()
              .addKeyValue("app", name)
              .setCause(e)
              .log("stream thread failed; replacing it");
          return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
    streams.setStateListener(
        (now, before) ->
            LOGGER
                .atInfo()
                .addKeyValue("app", name)
                .addKeyValue("from", before)
                .addKeyValue("to", now)
                .log("streams state"));
    return streams;
  }

  /** The worse of the two states: the pipeline is ready only when both applications run. */
  static KafkaStreams.State combined(KafkaStreams.State requests, KafkaStreams.State audit) {
    if (requests != KafkaStreams.State.RUNNING) {
      return requests;
    }
    return audit;
  }

  /**
   * The audit application: exactly-once, so a chain's head, its record and the input offset commit
   * together. Its own consumer group and instance id; one thread is plenty.
   */
  static Properties auditProperties(PipelineSettings settings) {
    Properties props = streamsProperties(settings);
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, settings.applicationId() + "-audit");
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
    props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
    props.put(StreamsConfig.POLL_MS_CONFIG, 100);
    props.put(
        StreamsConfig.consumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG),
        settings.instanceId() + "-audit");
    props.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG), 100);
    return props;
  }

  /** Streams settings tuned for the synchronous path's latency (docs/benchmarks.md). */
  static Properties streamsProperties(PipelineSettings settings) {
    Map<String, Object> props = new HashMap<>(settings.kafka().clientProperties());
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, settings.applicationId());
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
    props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, settings.streamThreads());
    props.put(StreamsConfig.STATE_DIR_CONFIG, settings.stateDir().toAbsolutePath().toString());
    props.put(StreamsConfig.POLL_MS_CONFIG, settings.pollMs());
    props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, settings.commitIntervalMs());
    props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0L);
    props.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true);
    props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetters.class);
    props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetters.class);
    props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
    props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, -1);
    // Static membership: a restart with the same id resumes its partitions immediately.
    props.put(
        StreamsConfig.consumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG),
        settings.instanceId());
    props.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 30_000);
    // Streams sets its producer's linger.ms to 100 ms unless told otherwise.
    props.put(
        StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG),
        settings.tuning().lingerMs());
    props.put(
        StreamsConfig.producerPrefix(ProducerConfig.COMPRESSION_TYPE_CONFIG), Topics.COMPRESSION);
    // How long the broker holds an empty fetch of the request topics (docs/benchmarks.md).
    props.put(
        StreamsConfig.mainConsumerPrefix(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG),
        settings.tuning().fetchMaxWaitMs());
    props.put(
        StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG),
        Topics.MAX_MESSAGE_BYTES);
    props.put(
        StreamsConfig.consumerPrefix(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG),
        Topics.MAX_MESSAGE_BYTES);
    Properties properties = new Properties();
    properties.putAll(props);
    return properties;
  }
}

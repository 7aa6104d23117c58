package dev.sluice.pipeline;

import dev.sluice.config.ConfigException;
import dev.sluice.config.Env;
import dev.sluice.config.ParentWatch;
import dev.sluice.pipeline.audit.AuditTopology;
import dev.sluice.pipeline.reply.ReplyEndpoint;
import dev.sluice.pipeline.reply.ReplyLookup;
import dev.sluice.policy.PolicyException;
import dev.sluice.topics.TopicProvisioner;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts and stops the pipeline: reads its configuration ({@link PipelineConfig}), has {@link
 * PipelineWiring} build the stages, and runs the request topology and the audit topology.
 */
public final class PipelineMain {
  private static final Logger LOGGER = LoggerFactory.getLogger(PipelineMain.class);

  private PipelineMain() {}

  public static void main(String[] args) throws Exception {
    Env env = Env.load();
    ParentWatch.startIfAsked(env);
    PipelineConfig config;
    try {
      config = PipelineConfig.from(env);
    } catch (ConfigException | PolicyException | IllegalArgumentException e) {
      System.err.println("sluice pipeline: " + e.getMessage());
      System.exit(2);
      return;
    }
    announce(config);
    PipelineSettings settings = config.pipeline();
    protectDataDir(settings);
    try (Admin admin = Admin.create(settings.kafka().clientProperties())) {
      List<String> created = TopicProvisioner.ensure(admin, settings.topics());
      if (!created.isEmpty()) {
        LOGGER.atInfo().addKeyValue("topics", created).log("created missing topics");
      }
    }
    PipelineWiring wiring;
    try {
      wiring = PipelineWiring.wire(config);
    } catch (ConfigException e) {
      System.err.println("sluice pipeline: " + e.getMessage());
      System.exit(2);
      return;
    }

    Properties properties = StreamsProperties.requests(settings);
    // Naming enforcement is a topology setting: the builder has to see the config.
    KafkaStreams streams =
        streams(
            "pipeline",
            GatewayTopology.build(
                new StreamsBuilder(new TopologyConfig(new StreamsConfig(properties))),
                wiring.stages()),
            properties);
    Properties auditProperties = StreamsProperties.audit(settings);
    KafkaStreams audit =
        streams(
            "audit",
            AuditTopology.build(
                new StreamsBuilder(new TopologyConfig(new StreamsConfig(auditProperties))),
                auditProperties.getProperty(StreamsConfig.APPLICATION_ID_CONFIG)),
            auditProperties);

    PipelineHealth health =
        new PipelineHealth(
            settings.bindAddress(),
            settings.healthPort(),
            () -> combined(streams.state(), audit.state()),
            wiring::dependenciesReady,
            wiring::rateLimiter,
            replyEndpoint(streams, settings, wiring));
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  streams.close(Duration.ofSeconds(20));
                  audit.close(Duration.ofSeconds(20));
                  health.close();
                  wiring.close();
                  stopped.countDown();
                },
                "pipeline-shutdown"));
    streams.start();
    audit.start();
    LOGGER
        .atInfo()
        .addKeyValue("instance", settings.instanceId())
        .addKeyValue("healthPort", health.port())
        .addKeyValue("bindAddress", settings.bindAddress().host())
        .log("pipeline started");
    stopped.await();
  }

  /** The reply stores of {@code streams}, as its health port serves them. */
  static ReplyEndpoint replyEndpoint(
      KafkaStreams streams, PipelineSettings settings, PipelineWiring wiring) {
    return new ReplyEndpoint(
        new ReplyLookup(
            streams,
            HostInfo.buildFromEndpoint(settings.advertisedAddress()),
            GatewayTopology.SUB_TOPOLOGIES),
        wiring.verifier());
  }

  /** What an operator should know about this configuration before the first request. */
  private static void announce(PipelineConfig config) {
    // DEV_MODE is announced by the token verifier itself.
    if (config.policy().fromFiles()) {
      LOGGER.atInfo().addKeyValue("version", config.policy().version()).log("policy bundle loaded");
    } else {
      LOGGER
          .atWarn()
          .log("no policy bundle (POLICY_DIR): environment defaults apply to every tenant");
    }
  }

  /**
   * Creates the state directory owner-only before Streams does: the stores hold prompts. Streams
   * itself sets {@code 0750} on it, so what keeps the group out is an owner-only data directory
   * above it; one that others may enter is the operator's to fix, and said at start.
   */
  private static void protectDataDir(PipelineSettings settings) throws IOException {
    settings.dataDir().create(PipelineSettings.STATE_DIR);
    if (settings.dataDir().openToOthers()) {
      LOGGER
          .atWarn()
          .addKeyValue("dataDir", settings.dataDir().path().toAbsolutePath())
          .log("DATA_DIR is open to other users; its state stores hold prompts (chmod 700 it)");
    }
  }

  private static KafkaStreams streams(String name, Topology topology, Properties properties) {
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
}

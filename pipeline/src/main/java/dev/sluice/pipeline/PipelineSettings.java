package dev.sluice.pipeline;

import dev.sluice.config.BindAddress;
import dev.sluice.config.ConfigException;
import dev.sluice.config.DataDir;
import dev.sluice.config.Env;
import dev.sluice.config.KafkaSettings;
import dev.sluice.config.KafkaTuning;
import dev.sluice.config.PipelineApplication;
import dev.sluice.config.PipelineHealthPort;
import dev.sluice.config.RequestTimeout;
import dev.sluice.topics.TopicSettings;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * The pipeline's configuration (docs/configuration.md lists every variable).
 *
 * @param instanceId static group membership id: a restarted instance with the same id takes its
 *     partitions back at once instead of after the session timeout
 * @param dataDir where the state stores live ({@link #stateDir()})
 * @param maxInFlightWaitMs how long a task with {@code MAX_IN_FLIGHT} open calls waits for one to
 *     finish before it takes the next request anyway ({@code MAX_IN_FLIGHT_WAIT_MS}); kept well
 *     under the consumer's {@code max.poll.interval.ms} (5 minutes) so a slow provider never gets
 *     the stream thread evicted from the group
 * @param healthPort {@code PIPELINE_HEALTH_PORT}: {@code /healthz} and {@code /readyz}
 * @param bindAddress the address the health port listens on ({@code BIND_ADDRESS})
 * @param advertisedAddress {@code host:port} where other pipeline instances reach this one's health
 *     port, which also serves its reply stores ({@code PIPELINE_ADVERTISED_ADDRESS}; by default the
 *     bind address, or the host name when it binds every interface, and the health port)
 * @param standbyReplicas {@code STANDBY_REPLICAS}: warm copies of every state store kept on other
 *     instances (Streams' {@code num.standby.replicas}), so a moved task need not restore
 */
public record PipelineSettings(
    KafkaSettings kafka,
    String applicationId,
    String instanceId,
    int streamThreads,
    DataDir dataDir,
    int maxInFlight,
    long maxInFlightWaitMs,
    long stubDelayMs,
    RequestTimeout requestTimeout,
    long pollMs,
    long commitIntervalMs,
    KafkaTuning tuning,
    int healthPort,
    BindAddress bindAddress,
    String advertisedAddress,
    int standbyReplicas,
    TopicSettings topics) {

  public static final long DEFAULT_MAX_IN_FLIGHT_WAIT_MS = 30_000;

  /** {@code host:port} or {@code [ipv6]:port}, as Streams' {@code application.server} reads it. */
  private static final Pattern ADVERTISED =
      Pattern.compile("([^:\\s/\\[\\]]+|\\[[0-9A-Fa-f:.]+\\]):\\d{1,5}");

  /** The state stores' directory under the data directory. */
  public static final String STATE_DIR = "pipeline-state";

  /** A minute: well under the five minutes a stream thread may go between polls. */
  static final long MAX_IN_FLIGHT_WAIT_LIMIT_MS = 60_000;

  public static PipelineSettings from(Env env) {
    RequestTimeout requestTimeout = RequestTimeout.from(env);
    int threads = env.getInt("STREAM_THREADS", 2);
    if (threads < 1) {
      throw new ConfigException("STREAM_THREADS must be >= 1");
    }
    int maxInFlight = env.getInt("MAX_IN_FLIGHT", 1024);
    if (maxInFlight < 1) {
      throw new ConfigException("MAX_IN_FLIGHT must be >= 1");
    }
    long maxInFlightWaitMs = env.getLong("MAX_IN_FLIGHT_WAIT_MS", DEFAULT_MAX_IN_FLIGHT_WAIT_MS);
    if (maxInFlightWaitMs < 0 || maxInFlightWaitMs > MAX_IN_FLIGHT_WAIT_LIMIT_MS) {
      throw new ConfigException(
          "MAX_IN_FLIGHT_WAIT_MS must be from 0 to " + MAX_IN_FLIGHT_WAIT_LIMIT_MS);
    }
    long stubDelayMs = env.getLong("STUB_DELAY_MS", 0);
    if (stubDelayMs < 0) {
      throw new ConfigException("STUB_DELAY_MS must be >= 0");
    }
    int healthPort = PipelineHealthPort.from(env);
    BindAddress bind = BindAddress.from(env);
    String host = bind.everyInterface() ? hostName() : bind.host();
    String advertised =
        env.get("PIPELINE_ADVERTISED_ADDRESS")
            .orElse((host.contains(":") ? "[" + host + "]" : host) + ":" + healthPort);
    if (!ADVERTISED.matcher(advertised).matches()
        || Integer.parseInt(advertised.substring(advertised.lastIndexOf(':') + 1)) > 65_535) {
      throw new ConfigException(
          "PIPELINE_ADVERTISED_ADDRESS must be host:port (an IPv6 address in brackets)");
    }
    int standbyReplicas = env.getInt("STANDBY_REPLICAS", 0);
    if (standbyReplicas < 0) {
      throw new ConfigException("STANDBY_REPLICAS must be >= 0");
    }
    return new PipelineSettings(
        KafkaSettings.from(env),
        PipelineApplication.from(env).id(),
        env.get("PIPELINE_INSTANCE_ID", "pipeline-" + hostName()),
        threads,
        DataDir.from(env),
        maxInFlight,
        maxInFlightWaitMs,
        stubDelayMs,
        requestTimeout,
        env.getLong("STREAMS_POLL_MS", 1),
        env.getLong("STREAMS_COMMIT_INTERVAL_MS", 1_000),
        KafkaTuning.from(env),
        healthPort,
        bind,
        advertised,
        standbyReplicas,
        TopicSettings.from(env));
  }

  /** Kafka Streams' {@code state.dir}: {@code DATA_DIR/pipeline-state}. */
  public Path stateDir() {
    return dataDir.resolve(STATE_DIR);
  }

  /** How long after the broker accepted a request the provider may still answer. */
  public long providerDeadlineMs() {
    return requestTimeout.providerDeadlineMs();
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "local";
    }
  }
}

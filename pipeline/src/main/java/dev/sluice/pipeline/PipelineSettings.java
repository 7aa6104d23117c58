package dev.sluice.pipeline;

import dev.sluice.config.ConfigException;
import dev.sluice.config.DataDir;
import dev.sluice.config.Env;
import dev.sluice.config.KafkaSettings;
import dev.sluice.config.KafkaTuning;
import dev.sluice.config.PipelineApplication;
import dev.sluice.config.RequestTimeout;
import dev.sluice.topics.TopicSettings;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;

/**
 * The pipeline's configuration (docs/configuration.md lists every variable).
 *
 * @param instanceId static group membership id: a restarted instance with the same id takes its
 *     partitions back at once instead of after the session timeout
 */
public record PipelineSettings(
    KafkaSettings kafka,
    String applicationId,
    String instanceId,
    int streamThreads,
    Path stateDir,
    int maxInFlight,
    long stubDelayMs,
    RequestTimeout requestTimeout,
    long pollMs,
    long commitIntervalMs,
    KafkaTuning tuning,
    int healthPort,
    TopicSettings topics) {

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
    long stubDelayMs = env.getLong("STUB_DELAY_MS", 0);
    if (stubDelayMs < 0) {
      throw new ConfigException("STUB_DELAY_MS must be >= 0");
    }
    return new PipelineSettings(
        KafkaSettings.from(env),
        PipelineApplication.from(env).id(),
        env.get("PIPELINE_INSTANCE_ID", "pipeline-" + hostName()),
        threads,
        DataDir.from(env).resolve("pipeline-state"),
        maxInFlight,
        stubDelayMs,
        requestTimeout,
        env.getLong("STREAMS_POLL_MS", 1),
        env.getLong("STREAMS_COMMIT_INTERVAL_MS", 1_000),
        KafkaTuning.from(env),
        env.getInt("PIPELINE_HEALTH_PORT", 8081),
        TopicSettings.from(env));
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

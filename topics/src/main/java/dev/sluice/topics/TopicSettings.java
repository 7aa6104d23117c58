package dev.sluice.topics;

import dev.sluice.config.ConfigException;
import dev.sluice.config.Env;
import java.util.Map;

/**
 * How the gateway's topics are created when missing ({@link TopicProvisioner}).
 *
 * @param partitions {@code TOPIC_PARTITIONS}: partitions of each topic; they bound how many
 *     pipeline tasks share the work
 * @param replicationFactor replicas of each topic; {@value #BROKER_DEFAULT} leaves it to the
 *     broker's {@code default.replication.factor}
 * @param requestsRetentionMs {@code REQUESTS_RETENTION_MS}: how long {@code llm.requests}, which
 *     holds every caller's credential, keeps a request ({@link Topics#requestsConfigs})
 */
public record TopicSettings(int partitions, short replicationFactor, long requestsRetentionMs) {
  public static final int DEFAULT_PARTITIONS = 6;
  public static final short BROKER_DEFAULT = -1;

  /**
   * A minute: a request must outlive the moment between the ingress publishing it and the pipeline
   * reading it, with room for a pipeline restart.
   */
  public static final long MIN_REQUESTS_RETENTION_MS = 60_000;

  public TopicSettings {
    if (partitions < 1) {
      throw new ConfigException("TOPIC_PARTITIONS must be >= 1");
    }
    if (replicationFactor < 1 && replicationFactor != BROKER_DEFAULT) {
      throw new IllegalArgumentException("replication factor must be >= 1 or the broker default");
    }
    if (requestsRetentionMs < MIN_REQUESTS_RETENTION_MS) {
      // Kafka's -1 (forever) is refused too: credentials must not be kept forever.
      throw new ConfigException(
          "REQUESTS_RETENTION_MS must be at least " + MIN_REQUESTS_RETENTION_MS + " (one minute)");
    }
  }

  /** {@code partitions} partitions, replicated as the broker's default says, default retention. */
  public TopicSettings(int partitions) {
    this(partitions, BROKER_DEFAULT, Topics.DEFAULT_REQUESTS_RETENTION_MS);
  }

  public static TopicSettings from(Env env) {
    return new TopicSettings(
        env.getInt("TOPIC_PARTITIONS", DEFAULT_PARTITIONS),
        BROKER_DEFAULT,
        env.getLong("REQUESTS_RETENTION_MS", Topics.DEFAULT_REQUESTS_RETENTION_MS));
  }

  /** The configs {@code topic} is created with under these settings. */
  public Map<String, String> configs(Topic<?, ?> topic) {
    if (topic.name().equals(Topics.REQUESTS.name())) {
      return Map.copyOf(Topics.requestsConfigs(requestsRetentionMs));
    }
    return topic.configs();
  }
}

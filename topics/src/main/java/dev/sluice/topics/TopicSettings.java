package dev.sluice.topics;

import dev.sluice.config.ConfigException;
import dev.sluice.config.Env;

/**
 * How the gateway's topics are created when missing ({@link TopicProvisioner}).
 *
 * @param partitions {@code TOPIC_PARTITIONS}: partitions of each topic; they bound how many
 *     pipeline tasks share the work
 * @param replicationFactor replicas of each topic; {@value #BROKER_DEFAULT} leaves it to the
 *     broker's {@code default.replication.factor}
 */
public record TopicSettings(int partitions, short replicationFactor) {
  public static final int DEFAULT_PARTITIONS = 6;
  public static final short BROKER_DEFAULT = -1;

  public TopicSettings {
    if (partitions < 1) {
      throw new ConfigException("TOPIC_PARTITIONS must be >= 1");
    }
    if (replicationFactor < 1 && replicationFactor != BROKER_DEFAULT) {
      throw new IllegalArgumentException("replication factor must be >= 1 or the broker default");
    }
  }

  /** {@code partitions} partitions, replicated as the broker's default says. */
  public TopicSettings(int partitions) {
    this(partitions, BROKER_DEFAULT);
  }

  public static TopicSettings from(Env env) {
    return new TopicSettings(env.getInt("TOPIC_PARTITIONS", DEFAULT_PARTITIONS));
  }
}

package dev.sluice.topics;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Creates the gateway's topics when they are missing, with the configs {@link Topics} gives and the
 * partitions, replication and request retention of {@link TopicSettings}. The one way the gateway
 * creates topics: ingress, pipeline and {@code scripts/run} each call it at start, whichever comes
 * first creates. Existing topics are left alone: changing a live topic's partitions is an
 * operator's decision.
 */
public final class TopicProvisioner {
  private static final String TIMESTAMP_TYPE = "message.timestamp.type";
  private static final String LOG_APPEND_TIME = "LogAppendTime";

  private TopicProvisioner() {}

  /**
   * Returns the names it created. Refuses (IllegalStateException) a request topic that exists
   * without broker-stamped timestamps: token expiry would then be judged at a time the producer
   * chose, which fails open.
   */
  public static List<String> ensure(Admin admin, TopicSettings settings)
      throws InterruptedException, ExecutionException, TimeoutException {
    List<String> created = create(admin, settings);
    if (!created.contains(Topics.REQUESTS.name())) {
      // Made before this start, perhaps by hand; one just created has the configs of Topics.
      requireBrokerTimestamps(admin, Topics.REQUESTS);
    }
    return created;
  }

  private static void requireBrokerTimestamps(Admin admin, Topic<?, ?> topic)
      throws InterruptedException, ExecutionException, TimeoutException {
    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic.name());
    Config config = null;
    for (int attempt = 1; config == null; attempt++) {
      try {
        config =
            admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource);
      } catch (ExecutionException e) {
        // Another process may have just created it: its metadata takes a moment to spread.
        if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || attempt == 50) {
          throw e;
        }
        Thread.sleep(200);
      }
    }
    ConfigEntry type = config == null ? null : config.get(TIMESTAMP_TYPE);
    if (type == null || !LOG_APPEND_TIME.equals(type.value())) {
      throw new IllegalStateException(
          "topic "
              + topic.name()
              + " must have "
              + TIMESTAMP_TYPE
              + "="
              + LOG_APPEND_TIME
              + " (tokens are judged at the broker's time); alter the topic's config");
    }
  }

  private static List<String> create(Admin admin, TopicSettings settings)
      throws InterruptedException, ExecutionException, TimeoutException {
    Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
    List<NewTopic> missing = new ArrayList<>();
    for (Topic<?, ?> topic : Topics.all()) {
      if (!existing.contains(topic.name())) {
        missing.add(
            new NewTopic(topic.name(), settings.partitions(), settings.replicationFactor())
                .configs(settings.configs(topic)));
      }
    }
    if (missing.isEmpty()) {
      return List.of();
    }
    List<String> created = new ArrayList<>();
    var results = admin.createTopics(missing).values();
    for (var entry : results.entrySet()) {
      try {
        entry.getValue().get(30, TimeUnit.SECONDS);
        created.add(entry.getKey());
      } catch (ExecutionException e) {
        // Another process (ingress or pipeline starting at the same time) won the race.
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw e;
        }
      }
    }
    return created;
  }
}

package dev.sluice.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.config.Env;
import dev.sluice.devkafka.LocalBroker;
import dev.sluice.topics.TopicProvisioner;
import dev.sluice.topics.TopicSettings;
import dev.sluice.topics.Topics;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Topic creation against a real broker: the configs and retention it creates them with, and a
 * request topic someone made by hand.
 */
class TopicProvisionerTest {

  @Test
  void createsWhatIsMissingOnceAndRefusesARequestTopicWithProducerTimestamps(@TempDir Path dir)
      throws Exception {
    LocalBroker.guardJvmExit();
    try (LocalBroker broker = LocalBroker.start(dir.resolve("a"), LocalBroker.freePort());
        Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
      assertThat(TopicProvisioner.ensure(admin, new TopicSettings(3)))
          .containsExactlyInAnyOrderElementsOf(
              Topics.all().stream().map(topic -> topic.name()).toList());
      assertThat(TopicProvisioner.ensure(admin, new TopicSettings(3))).isEmpty();
      // Kept one hour by default, in segments short enough for the retention to hold.
      assertThat(topicConfig(admin, Topics.REQUESTS.name(), "retention.ms")).isEqualTo("3600000");
      assertThat(topicConfig(admin, Topics.REQUESTS.name(), "segment.ms")).isEqualTo("600000");
    }
    try (LocalBroker broker = LocalBroker.start(dir.resolve("b"), LocalBroker.freePort());
        Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
      // Made by hand with the broker's default, CreateTime: expiry would be the producer's say.
      admin.createTopics(List.of(new NewTopic(Topics.REQUESTS.name(), 1, (short) 1))).all().get();
      assertThatThrownBy(() -> TopicProvisioner.ensure(admin, new TopicSettings(3)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("message.timestamp.type=LogAppendTime");
    }
  }

  @Test
  void requestsRetentionMsSetsHowLongANewRequestTopicKeepsCredentials(@TempDir Path dir)
      throws Exception {
    LocalBroker.guardJvmExit();
    try (LocalBroker broker = LocalBroker.start(dir, LocalBroker.freePort());
        Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
      TopicSettings settings =
          TopicSettings.from(Env.of(Map.of("REQUESTS_RETENTION_MS", "7200000")));
      TopicProvisioner.ensure(admin, settings);
      assertThat(topicConfig(admin, Topics.REQUESTS.name(), "retention.ms")).isEqualTo("7200000");
      assertThat(topicConfig(admin, Topics.REQUESTS.name(), "segment.ms")).isEqualTo("1200000");
      assertThat(topicConfig(admin, Topics.REPLIES.name(), "retention.ms")).isEqualTo("86400000");
    }
  }

  /**
   * A created topic reaches the broker's metadata cache a moment after CreateTopics answers: until
   * then DescribeConfigs says the topic is unknown, so ask again for a few seconds.
   */
  private static String topicConfig(Admin admin, String topic, String name) throws Exception {
    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      try {
        return admin
            .describeConfigs(List.of(resource))
            .all()
            .get(30, TimeUnit.SECONDS)
            .get(resource)
            .get(name)
            .value();
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof UnknownTopicOrPartitionException)
            || System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(100);
      }
    }
  }
}

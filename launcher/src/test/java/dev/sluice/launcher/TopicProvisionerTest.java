package dev.sluice.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.devkafka.LocalBroker;
import dev.sluice.topics.TopicProvisioner;
import dev.sluice.topics.TopicSettings;
import dev.sluice.topics.Topics;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Topic creation against a real broker, including a request topic someone made by hand. */
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
}

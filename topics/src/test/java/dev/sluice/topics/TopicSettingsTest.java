package dev.sluice.topics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.config.ConfigException;
import dev.sluice.config.Env;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TopicSettingsTest {

  @Test
  void sixPartitionsReplicatedAsTheBrokerSays() {
    TopicSettings settings = TopicSettings.from(Env.of(Map.of()));
    assertThat(settings.partitions()).isEqualTo(6);
    assertThat(settings.replicationFactor()).isEqualTo(TopicSettings.BROKER_DEFAULT);
    assertThat(TopicSettings.from(Env.of(Map.of("TOPIC_PARTITIONS", "12"))).partitions())
        .isEqualTo(12);
  }

  @Test
  void requestsAreKeptOneHourUnlessRequestsRetentionMsSaysOtherwise() {
    TopicSettings defaults = TopicSettings.from(Env.of(Map.of()));
    assertThat(defaults.requestsRetentionMs()).isEqualTo(3_600_000L);
    assertThat(defaults.configs(Topics.REQUESTS)).isEqualTo(Topics.REQUESTS.configs());
    assertThat(new TopicSettings(3).requestsRetentionMs()).isEqualTo(3_600_000L);

    TopicSettings day = TopicSettings.from(Env.of(Map.of("REQUESTS_RETENTION_MS", "86400000")));
    assertThat(day.requestsRetentionMs()).isEqualTo(86_400_000L);
    assertThat(day.configs(Topics.REQUESTS))
        .containsEntry("retention.ms", "86400000")
        .containsEntry("segment.ms", "14400000")
        .containsEntry("message.timestamp.type", "LogAppendTime");
    // Only llm.requests follows the setting.
    for (Topic<?, ?> topic : Topics.all()) {
      if (topic != Topics.REQUESTS) {
        assertThat(day.configs(topic)).as(topic.name()).isEqualTo(topic.configs());
      }
    }
  }

  @Test
  void refusesARetentionUnderAMinuteOrForeverNamingTheVariable() {
    for (String bad : new String[] {"59999", "1000", "-1", "an hour"}) {
      assertThatThrownBy(() -> TopicSettings.from(Env.of(Map.of("REQUESTS_RETENTION_MS", bad))))
          .as(bad)
          .isInstanceOf(ConfigException.class)
          .hasMessageStartingWith("REQUESTS_RETENTION_MS must be")
          .hasMessageNotContaining(bad);
    }
    assertThat(
            TopicSettings.from(Env.of(Map.of("REQUESTS_RETENTION_MS", "60000")))
                .requestsRetentionMs())
        .isEqualTo(60_000L);
  }

  @Test
  void refusesABadPartitionCountNamingTheVariable() {
    for (String bad : new String[] {"0", "-3", "many"}) {
      assertThatThrownBy(() -> TopicSettings.from(Env.of(Map.of("TOPIC_PARTITIONS", bad))))
          .as(bad)
          .isInstanceOf(ConfigException.class)
          .hasMessageStartingWith("TOPIC_PARTITIONS must be");
    }
  }
}

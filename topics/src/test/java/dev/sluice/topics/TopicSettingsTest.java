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
  void refusesABadPartitionCountNamingTheVariable() {
    for (String bad : new String[] {"0", "-3", "many"}) {
      assertThatThrownBy(() -> TopicSettings.from(Env.of(Map.of("TOPIC_PARTITIONS", bad))))
          .as(bad)
          .isInstanceOf(ConfigException.class)
          .hasMessageStartingWith("TOPIC_PARTITIONS must be");
    }
  }
}

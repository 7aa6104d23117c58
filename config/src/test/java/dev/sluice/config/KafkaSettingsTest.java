package dev.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class KafkaSettingsTest {

  @Test
  void defaultsToTheLocalBroker() {
    KafkaSettings kafka = KafkaSettings.from(Env.of(Map.of()));
    assertThat(kafka.bootstrapServers()).isEqualTo("127.0.0.1:9092");
    assertThat(kafka.external()).isFalse();
  }

  @Test
  void passesClientSettingsThroughWithoutShowingThem() {
    KafkaSettings kafka =
        KafkaSettings.from(
            Env.of(
                Map.of(
                    "KAFKA_BOOTSTRAP_SERVERS", "kafka:9093",
                    "KAFKA_CLIENT_SECURITY_PROTOCOL", "SASL_SSL",
                    "KAFKA_CLIENT_SASL_JAAS_CONFIG", "secret-jaas")));
    assertThat(kafka.external()).isTrue();
    assertThat(kafka.clientProperties())
        .containsEntry("bootstrap.servers", "kafka:9093")
        .containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("sasl.jaas.config", "secret-jaas");
    assertThat(kafka.toString()).doesNotContain("secret-jaas");
  }
}

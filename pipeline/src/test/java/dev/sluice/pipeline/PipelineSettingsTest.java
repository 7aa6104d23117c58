package dev.sluice.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.config.ConfigException;
import dev.sluice.config.Env;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PipelineSettingsTest {

  @Test
  void hasDocumentedDefaults() {
    PipelineSettings settings = PipelineSettings.from(Env.of(Map.of()));

    assertThat(settings.maxInFlight()).isEqualTo(1024);
    assertThat(settings.stubDelayMs()).isZero();
    assertThat(settings.requestTimeout().callerWaitMs()).isEqualTo(60_000);
    assertThat(settings.providerDeadlineMs()).isEqualTo(59_000);
    assertThat(settings.streamThreads()).isEqualTo(2);
    assertThat(settings.applicationId()).isEqualTo("sluice-pipeline");
    assertThat(settings.instanceId()).startsWith("pipeline-");
    assertThat(settings.stateDir()).isEqualTo(Path.of("data", "pipeline-state"));
    assertThat(settings.pollMs()).isEqualTo(1);
    assertThat(settings.commitIntervalMs()).isEqualTo(1_000);
    assertThat(settings.tuning().lingerMs()).isZero();
    assertThat(settings.tuning().fetchMaxWaitMs()).isEqualTo(5);
    assertThat(settings.healthPort()).isEqualTo(8081);
    assertThat(settings.bindAddress().everyInterface()).isTrue();
    assertThat(settings.topics().partitions()).isEqualTo(6);
    assertThat(settings.kafka().bootstrapServers()).isEqualTo("127.0.0.1:9092");
    assertThat(settings.advertisedAddress()).endsWith(":8081");
    assertThat(settings.standbyReplicas()).isZero();
  }

  @Test
  void advertisesWhereOtherInstancesReachItsReplyStores() {
    assertThat(
            PipelineSettings.from(Env.of(Map.of("DEV_MODE", "true", "PIPELINE_HEALTH_PORT", "9")))
                .advertisedAddress())
        .isEqualTo("127.0.0.1:9");
    PipelineSettings named =
        PipelineSettings.from(
            Env.of(
                Map.of(
                    "PIPELINE_ADVERTISED_ADDRESS", "pipeline-0.pipeline:8081",
                    "STANDBY_REPLICAS", "1")));
    assertThat(named.advertisedAddress()).isEqualTo("pipeline-0.pipeline:8081");
    assertThat(
            PipelineSettings.from(
                    Env.of(Map.of("BIND_ADDRESS", "::1", "PIPELINE_HEALTH_PORT", "9")))
                .advertisedAddress())
        .isEqualTo("[0:0:0:0:0:0:0:1]:9");
    assertThat(named.standbyReplicas()).isEqualTo(1);
    Properties streams = StreamsProperties.requests(named);
    assertThat(streams.get(StreamsConfig.APPLICATION_SERVER_CONFIG))
        .isEqualTo("pipeline-0.pipeline:8081");
    assertThat(streams.get(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG)).isEqualTo(1);
    assertThat(StreamsProperties.audit(named))
        .doesNotContainKey(StreamsConfig.APPLICATION_SERVER_CONFIG);
  }

  @Test
  void readsItsVariables() {
    PipelineSettings settings =
        PipelineSettings.from(
            Env.of(
                Map.of(
                    "MAX_IN_FLIGHT", "8",
                    "STUB_DELAY_MS", "25",
                    "REQUEST_TIMEOUT_MS", "5000",
                    "STREAM_THREADS", "4",
                    "PIPELINE_INSTANCE_ID", "pipeline-a",
                    "DATA_DIR", "/var/sluice")));

    assertThat(settings.maxInFlight()).isEqualTo(8);
    assertThat(settings.stubDelayMs()).isEqualTo(25);
    assertThat(settings.providerDeadlineMs()).isEqualTo(4_000);
    assertThat(settings.streamThreads()).isEqualTo(4);
    assertThat(settings.instanceId()).isEqualTo("pipeline-a");
    assertThat(settings.stateDir()).isEqualTo(Path.of("/var/sluice", "pipeline-state"));
  }

  @Test
  void devModeHealthPortListensOnLoopbackUnlessBindAddressSaysOtherwise() {
    assertThat(
            PipelineSettings.from(Env.of(Map.of("DEV_MODE", "true"))).bindAddress().loopbackOnly())
        .isTrue();
    assertThat(
            PipelineSettings.from(Env.of(Map.of("DEV_MODE", "true", "BIND_ADDRESS", "0.0.0.0")))
                .bindAddress()
                .everyInterface())
        .isTrue();
  }

  @ParameterizedTest(name = "{0}={1}")
  @CsvSource({
    "MAX_IN_FLIGHT, many",
    "STUB_DELAY_MS, 1.5",
    "REQUEST_TIMEOUT_MS, soon",
    "REQUEST_TIMEOUT_MS, 1999",
    "STREAM_THREADS, two",
    "STREAM_THREADS, 0",
    "STREAMS_POLL_MS, x",
    "KAFKA_LINGER_MS, x",
    "TOPIC_PARTITIONS, x",
    "PIPELINE_APPLICATION_ID, a b",
    "PIPELINE_ADVERTISED_ADDRESS, http://x:1",
    "PIPELINE_ADVERTISED_ADDRESS, nohost",
    "STANDBY_REPLICAS, one",
  })
  void refusesABadValueNamingTheVariable(String name, String value) {
    assertThatThrownBy(() -> PipelineSettings.from(Env.of(Map.of(name, value))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(name)
        .hasMessageNotContaining(value);
  }

  @ParameterizedTest(name = "{0}={1}")
  @CsvSource({
    "MAX_IN_FLIGHT, 0",
    "MAX_IN_FLIGHT, -5",
    "STUB_DELAY_MS, -1",
    "TOPIC_PARTITIONS, 0",
    "KAFKA_LINGER_MS, -1",
    "STANDBY_REPLICAS, -1",
    "PIPELINE_ADVERTISED_ADDRESS, x:70000"
  })
  void refusesAnOutOfRangeValueNamingTheVariable(String name, String value) {
    // Otherwise start-up fails later, outside the configuration check, with a stack trace.
    assertThatThrownBy(() -> PipelineSettings.from(Env.of(Map.of(name, value))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(name);
  }

  @Test
  void tunesStreamsForTheSynchronousPath() {
    PipelineSettings settings =
        PipelineSettings.from(
            Env.of(
                Map.of(
                    "PIPELINE_INSTANCE_ID", "pipeline-7",
                    "KAFKA_BOOTSTRAP_SERVERS", "broker:9092",
                    "DATA_DIR", "/tmp/sluice-test")));

    Properties props = StreamsProperties.requests(settings);

    assertThat(props.get(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG)))
        .isEqualTo(0);
    assertThat(props.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG))
        .isEqualTo(StreamsConfig.AT_LEAST_ONCE);
    assertThat(props.get(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG))
        .isEqualTo(true);
    assertThat(props.get(StreamsConfig.consumerPrefix("group.instance.id")))
        .isEqualTo("pipeline-7");
    assertThat(props.get(StreamsConfig.APPLICATION_ID_CONFIG)).isEqualTo("sluice-pipeline");
    assertThat(props.get(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG)).isEqualTo("broker:9092");
    assertThat(props.get(StreamsConfig.NUM_STREAM_THREADS_CONFIG)).isEqualTo(2);
    assertThat(props.get(StreamsConfig.STATE_DIR_CONFIG))
        .isEqualTo(Path.of("/tmp/sluice-test", "pipeline-state").toAbsolutePath().toString());
    assertThat(props.get(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG))
        .isEqualTo(DeadLetters.class);
    assertThat(props.get(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG))
        .isEqualTo(DeadLetters.class);

    // What Streams actually hands its clients: its own 100 ms linger default is overridden.
    StreamsConfig config = new StreamsConfig(props);
    assertThat(config.getProducerConfigs("client").get(ProducerConfig.LINGER_MS_CONFIG))
        .isEqualTo(0);
    assertThat(
            config.getMainConsumerConfigs("sluice-pipeline", "client", 0).get("group.instance.id"))
        .asString()
        .startsWith("pipeline-7");
  }

  @Test
  void passesALingerOverrideThrough() {
    Properties props =
        StreamsProperties.requests(PipelineSettings.from(Env.of(Map.of("KAFKA_LINGER_MS", "5"))));
    assertThat(props.get(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG)))
        .isEqualTo(5);
  }
}

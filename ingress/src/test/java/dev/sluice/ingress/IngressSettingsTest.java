package dev.sluice.ingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.config.ConfigException;
import dev.sluice.config.Env;
import dev.sluice.config.KafkaTuning;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IngressSettingsTest {

  @Test
  void defaults() {
    IngressSettings settings = IngressSettings.from(Env.of(Map.of()));
    assertThat(settings.port()).isEqualTo(8000);
    assertThat(settings.maxRequestBytes()).isEqualTo(1024 * 1024);
    assertThat(settings.requestTimeoutMs()).isEqualTo(60_000);
    assertThat(settings.replyPartitions()).isEmpty();
    assertThat(settings.trustForwardedFor()).isFalse();
    assertThat(settings.requestBodyTimeoutMs()).isEqualTo(30_000);
    assertThat(settings.authFailureLimitPerSecond()).isEqualTo(5);
    assertThat(settings.tuning()).isEqualTo(new KafkaTuning(0, 5));
    assertThat(settings.topics().partitions()).isEqualTo(6);
    assertThat(settings.pipeline().id()).isEqualTo("sluice-pipeline");
    assertThat(settings.replyStoreUrl()).hasToString("http://127.0.0.1:8081");
  }

  @Test
  void theReplyStoreIsTheLocalPipelineUnlessNamed() {
    assertThat(IngressSettings.from(Env.of(Map.of("PIPELINE_HEALTH_PORT", "9091"))).replyStoreUrl())
        .hasToString("http://127.0.0.1:9091");
    assertThat(
            IngressSettings.from(
                    Env.of(Map.of("REPLY_STORE_URL", "https://pipeline.internal:8081")))
                .replyStoreUrl())
        .hasToString("https://pipeline.internal:8081");
    for (String bad : List.of("pipeline:8081", "ftp://pipeline", "http://", "http://a b")) {
      assertThatThrownBy(() -> IngressSettings.from(Env.of(Map.of("REPLY_STORE_URL", bad))))
          .as(bad)
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("REPLY_STORE_URL");
    }
  }

  @Test
  void replyPartitionsTakeListsAndRanges() {
    assertThat(IngressSettings.partitions("0,3")).containsExactly(0, 3);
    assertThat(IngressSettings.partitions("4-5, 0")).containsExactly(0, 4, 5);
    assertThat(IngressSettings.partitions("2,2,1-2")).containsExactly(1, 2);
    IngressSettings settings =
        IngressSettings.from(Env.of(Map.of("INGRESS_REPLY_PARTITIONS", "1-3")));
    assertThat(settings.replyPartitions()).contains(List.of(1, 2, 3));
  }

  @Test
  void badReplyPartitionsStopStartUpWithAClearMessage() {
    for (String bad : List.of("x", "1-y", ",", "-1")) {
      assertThatThrownBy(() -> IngressSettings.partitions(bad))
          .as(bad)
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("INGRESS_REPLY_PARTITIONS");
    }
  }

  @Test
  void readsTheSettingsItSharesWithThePipelineThroughTheirOwnRecords() {
    IngressSettings settings =
        IngressSettings.from(
            Env.of(
                Map.of(
                    "KAFKA_LINGER_MS", "2",
                    "TOPIC_PARTITIONS", "3",
                    "PIPELINE_APPLICATION_ID", "pipeline-eu")));
    assertThat(settings.tuning().lingerMs()).isEqualTo(2);
    assertThat(settings.topics().partitions()).isEqualTo(3);
    assertThat(settings.pipeline().id()).isEqualTo("pipeline-eu");
    assertThatThrownBy(() -> IngressSettings.from(Env.of(Map.of("TOPIC_PARTITIONS", "0"))))
        .isInstanceOf(ConfigException.class)
        .hasMessage("TOPIC_PARTITIONS must be >= 1");
  }

  @Test
  void smallLimitsAreRefused() {
    assertThatThrownBy(() -> IngressSettings.from(Env.of(Map.of("MAX_REQUEST_BYTES", "10"))))
        .hasMessage("MAX_REQUEST_BYTES must be at least 1024");
    assertThatThrownBy(() -> IngressSettings.from(Env.of(Map.of("REQUEST_TIMEOUT_MS", "10"))))
        .hasMessage("REQUEST_TIMEOUT_MS must be at least 2000");
    assertThatThrownBy(() -> IngressSettings.from(Env.of(Map.of("PORT", "70000"))))
        .isInstanceOf(ConfigException.class)
        .hasMessage("PORT must be from 0 to 65535");
  }

  @Test
  void theBodyTimeoutIsReadAndBounded() {
    assertThat(
            IngressSettings.from(Env.of(Map.of("REQUEST_BODY_TIMEOUT_MS", "5000")))
                .requestBodyTimeoutMs())
        .isEqualTo(5_000);
    for (String bad : List.of("0", "99", "600001")) {
      assertThatThrownBy(() -> IngressSettings.from(Env.of(Map.of("REQUEST_BODY_TIMEOUT_MS", bad))))
          .as(bad)
          .isInstanceOf(ConfigException.class)
          .hasMessage("REQUEST_BODY_TIMEOUT_MS must be from 100 to 600000");
    }
    assertThatThrownBy(
            () -> IngressSettings.from(Env.of(Map.of("REQUEST_BODY_TIMEOUT_MS", "soon"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("REQUEST_BODY_TIMEOUT_MS");
  }

  @Test
  void serverTimingListsStagesInOrder() {
    assertThat(GatewayApp.serverTiming(Map.of("provider", 0.0, "admission", 0.07, "pipeline", 2.0)))
        .isEqualTo("admission;dur=0.07, pipeline;dur=2.0, provider;dur=0.0");
  }

  @Test
  void theAuthFailureLimitIsFrom0ToAThousand() {
    assertThat(
            IngressSettings.from(Env.of(Map.of("AUTH_FAILURE_LIMIT_PER_SECOND", "0")))
                .authFailureLimitPerSecond())
        .isZero();
    assertThat(
            IngressSettings.from(Env.of(Map.of("AUTH_FAILURE_LIMIT_PER_SECOND", "1000")))
                .authFailureLimitPerSecond())
        .isEqualTo(1_000);
    for (String bad : List.of("-1", "1001", "five")) {
      assertThatThrownBy(
              () -> IngressSettings.from(Env.of(Map.of("AUTH_FAILURE_LIMIT_PER_SECOND", bad))))
          .as(bad)
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("AUTH_FAILURE_LIMIT_PER_SECOND");
    }
  }
}

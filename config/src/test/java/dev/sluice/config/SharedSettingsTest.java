package dev.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The records ingress, pipeline and launcher share: each variable read here and nowhere else. */
class SharedSettingsTest {

  @Test
  void haveTheDocumentedDefaults() {
    Env none = Env.of(Map.of());
    assertThat(KafkaTuning.from(none)).isEqualTo(new KafkaTuning(0, 5));
    assertThat(PipelineApplication.from(none).id()).isEqualTo("sluice-pipeline");
    assertThat(DataDir.from(none).path()).isEqualTo(Path.of("data"));
    assertThat(DataDir.from(none).resolve("pipeline-state"))
        .isEqualTo(Path.of("data/pipeline-state"));
  }

  @Test
  void readTheirVariables() {
    Env env =
        Env.of(
            Map.of(
                "KAFKA_LINGER_MS", "3",
                "KAFKA_FETCH_MAX_WAIT_MS", "50",
                "PIPELINE_APPLICATION_ID", "sluice-pipeline.eu-1",
                "DATA_DIR", "/var/lib/sluice"));
    assertThat(KafkaTuning.from(env)).isEqualTo(new KafkaTuning(3, 50));
    assertThat(PipelineApplication.from(env).id()).isEqualTo("sluice-pipeline.eu-1");
    assertThat(DataDir.from(env).path()).isEqualTo(Path.of("/var/lib/sluice"));
  }

  @ParameterizedTest(name = "{0}={1}")
  @CsvSource({
    "KAFKA_LINGER_MS, -1",
    "KAFKA_LINGER_MS, soon",
    "KAFKA_FETCH_MAX_WAIT_MS, -5",
    "PIPELINE_APPLICATION_ID, my pipeline",
    "PIPELINE_APPLICATION_ID, a/b",
  })
  void refuseABadValueNamingTheVariable(String name, String value) {
    Env env = Env.of(Map.of(name, value));
    assertThatThrownBy(
            () -> {
              KafkaTuning.from(env);
              PipelineApplication.from(env);
            })
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(name)
        .hasMessageNotContaining(value);
  }
}

package dev.sluice.egress.circuit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.config.ConfigException;
import dev.sluice.config.Env;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CircuitSettingsTest {

  @Test
  void defaults() {
    assertThat(CircuitSettings.from(Env.of(Map.of())))
        .isEqualTo(new CircuitSettings(5, Duration.ofMillis(30_000)))
        .isEqualTo(CircuitSettings.DEFAULTS);
  }

  @Test
  void readsTheEnvironment() {
    CircuitSettings settings =
        CircuitSettings.from(
            Env.of(Map.of("CIRCUIT_FAILURE_THRESHOLD", "2", "CIRCUIT_OPEN_MS", "1500")));
    assertThat(settings.failureThreshold()).isEqualTo(2);
    assertThat(settings.openFor()).isEqualTo(Duration.ofMillis(1500));
  }

  @Test
  void refusesBadValues() {
    assertThatThrownBy(() -> CircuitSettings.from(Env.of(Map.of("CIRCUIT_FAILURE_THRESHOLD", "0"))))
        .isInstanceOf(ConfigException.class)
        .hasMessage("CIRCUIT_FAILURE_THRESHOLD must be >= 1");
    assertThatThrownBy(() -> CircuitSettings.from(Env.of(Map.of("CIRCUIT_OPEN_MS", "0"))))
        .isInstanceOf(ConfigException.class)
        .hasMessage("CIRCUIT_OPEN_MS must be >= 1");
    assertThatThrownBy(() -> CircuitSettings.from(Env.of(Map.of("CIRCUIT_OPEN_MS", "soon"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("CIRCUIT_OPEN_MS");
  }

  @Test
  void aVeryLongOpenPeriodSaturates() {
    assertThat(new CircuitSettings(1, Duration.ofSeconds(Long.MAX_VALUE)).openMs())
        .isEqualTo(Long.MAX_VALUE);
  }
}

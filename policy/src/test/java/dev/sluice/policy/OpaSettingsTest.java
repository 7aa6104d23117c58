package dev.sluice.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.config.ConfigException;
import dev.sluice.config.Env;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OpaSettingsTest {

  @Test
  void withoutAUrlThePolicyIsLocal() {
    OpaSettings opa = OpaSettings.from(Env.of(Map.of()));
    assertThat(opa.mode()).isEqualTo(PolicyMode.LOCAL);
    assertThat(opa.url()).isEmpty();
    assertThat(opa.timeout()).isEqualTo(Duration.ofMillis(200));
  }

  @Test
  void aUrlSwitchesToOpaMode() {
    OpaSettings opa =
        OpaSettings.from(Env.of(Map.of("OPA_URL", "http://opa:8181", "OPA_TIMEOUT_MS", "50")));
    assertThat(opa.mode()).isEqualTo(PolicyMode.OPA);
    assertThat(opa.url()).contains(URI.create("http://opa:8181"));
    assertThat(opa.timeout()).isEqualTo(Duration.ofMillis(50));
  }

  @ParameterizedTest
  @ValueSource(strings = {"file:///etc/passwd", "opa:8181", "http://", "http://a b"})
  void refusesAUrlThatIsNotHttp(String value) {
    assertThatThrownBy(() -> OpaSettings.from(Env.of(Map.of("OPA_URL", value))))
        .isInstanceOf(ConfigException.class)
        .hasMessage("OPA_URL must be an http or https URL");
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "-1", "soon"})
  void refusesATimeoutBelowOneMillisecond(String value) {
    assertThatThrownBy(() -> OpaSettings.from(Env.of(Map.of("OPA_TIMEOUT_MS", value))))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("OPA_TIMEOUT_MS must be");
  }
}

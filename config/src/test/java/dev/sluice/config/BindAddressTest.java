package dev.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Dev mode listens on loopback unless BIND_ADDRESS says otherwise; elsewhere every interface. */
class BindAddressTest {

  @Test
  void devModeListensOnLoopbackOnly() {
    BindAddress bind = BindAddress.from(Env.of(Map.of("DEV_MODE", "true")));
    assertThat(bind.host()).isEqualTo("127.0.0.1");
    assertThat(bind.loopbackOnly()).isTrue();
    assertThat(bind.everyInterface()).isFalse();
    assertThat(bind.origin()).isEqualTo(BindAddress.Origin.DEV_MODE);
    assertThat(bind.localUrlHost()).isEqualTo("127.0.0.1");
  }

  @Test
  void outsideDevModeEveryInterface() {
    for (Map<String, String> env : new Map[] {Map.of(), Map.of("DEV_MODE", "false")}) {
      BindAddress bind = BindAddress.from(Env.of(env));
      assertThat(bind.host()).as(env.toString()).isEqualTo("0.0.0.0");
      assertThat(bind.everyInterface()).isTrue();
      assertThat(bind.loopbackOnly()).isFalse();
      assertThat(bind.origin()).isEqualTo(BindAddress.Origin.DEFAULT);
      // A local client reaches a wildcard listener on loopback.
      assertThat(bind.localUrlHost()).isEqualTo("127.0.0.1");
    }
  }

  @Test
  void bindAddressOverridesEitherDefault() {
    BindAddress open =
        BindAddress.from(Env.of(Map.of("DEV_MODE", "true", "BIND_ADDRESS", "0.0.0.0")));
    assertThat(open.everyInterface()).isTrue();
    assertThat(open.origin()).isEqualTo(BindAddress.Origin.BIND_ADDRESS);

    BindAddress closed =
        BindAddress.from(Env.of(Map.of("DEV_MODE", "false", "BIND_ADDRESS", "127.0.0.1")));
    assertThat(closed.loopbackOnly()).isTrue();
    assertThat(closed.origin()).isEqualTo(BindAddress.Origin.BIND_ADDRESS);

    BindAddress six = BindAddress.from(Env.of(Map.of("BIND_ADDRESS", "::1")));
    assertThat(six.loopbackOnly()).isTrue();
    assertThat(six.localUrlHost()).startsWith("[").endsWith("]");
    assertThat(six.socket(8000).getPort()).isEqualTo(8000);
    assertThat(six.socket(8000).getAddress()).isEqualTo(six.address());
  }

  @Test
  void aBlankBindAddressIsUnset() {
    assertThat(BindAddress.from(Env.of(Map.of("DEV_MODE", "true", "BIND_ADDRESS", "  "))).origin())
        .isEqualTo(BindAddress.Origin.DEV_MODE);
  }

  @ParameterizedTest
  @ValueSource(strings = {"not an address", "http://0.0.0.0", "300.1.2.3.4.5"})
  void refusesWhatIsNoAddressNamingTheVariable(String value) {
    assertThatThrownBy(() -> BindAddress.from(Env.of(Map.of("BIND_ADDRESS", value))))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("BIND_ADDRESS must be")
        .hasMessageNotContaining(value);
  }
}

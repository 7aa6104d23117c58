package dev.sluice.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.BindAddress;
import dev.sluice.config.Env;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The start banner says who can reach the gateway, and how to change it. */
class RunCommandBannerTest {

  @Test
  void devModeSaysItListensOnLoopbackOnlyAndHowToOpenIt() {
    String line = RunCommand.listening(BindAddress.from(Env.of(Map.of("DEV_MODE", "true"))), true);
    assertThat(line)
        .startsWith("Listening on 127.0.0.1 only")
        .contains("DEV_MODE")
        .contains("BIND_ADDRESS=0.0.0.0");
  }

  @Test
  void openedToTheNetworkInDevModeItWarnsThatTheDevTokenWorksFromThere() {
    String line =
        RunCommand.listening(
            BindAddress.from(Env.of(Map.of("DEV_MODE", "true", "BIND_ADDRESS", "0.0.0.0"))), true);
    assertThat(line).startsWith("Listening on every interface (0.0.0.0)").contains("dev-token");
    assertThat(RunCommand.listening(BindAddress.from(Env.of(Map.of("DEV_MODE", "false"))), false))
        .startsWith("Listening on every interface")
        .doesNotContain("dev-token");
  }
}

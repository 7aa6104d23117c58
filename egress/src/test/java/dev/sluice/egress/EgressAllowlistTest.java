package dev.sluice.egress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.config.ConfigException;
import dev.sluice.config.Env;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EgressAllowlistTest {
  private static final URI OPENAI = URI.create("https://api.openai.com/v1");
  private static final URI AZURE = URI.create("https://myres.openai.azure.com");

  @Test
  void unsetAllowsExactlyTheConfiguredHosts() {
    EgressAllowlist allowlist = EgressAllowlist.from(Env.of(Map.of()), List.of(OPENAI, AZURE));
    assertThat(allowlist.allows(URI.create("https://api.openai.com/v1/chat/completions"))).isTrue();
    assertThat(allowlist.allows(URI.create("https://MyRes.OpenAI.Azure.com/openai"))).isTrue();
    assertThat(allowlist.allows(URI.create("https://other.openai.azure.com/openai"))).isFalse();
    assertThat(allowlist.allows(URI.create("https://api.openai.com.evil.example/"))).isFalse();
  }

  @Test
  void theVariableListsHostsAndSuffixesIgnoringCase() {
    EgressAllowlist allowlist =
        EgressAllowlist.from(
            Env.of(Map.of("EGRESS_ALLOWED_HOSTS", " API.openai.com , *.OpenAI.Azure.com,[::1]")),
            List.of(OPENAI, AZURE));
    assertThat(allowlist.allowsHost("api.openai.com.")).isTrue();
    assertThat(allowlist.allowsHost("eu.openai.azure.com")).isTrue();
    assertThat(allowlist.allowsHost("openai.azure.com")).isFalse();
    assertThat(allowlist.allowsHost("evilopenai.azure.com")).isFalse();
    assertThat(allowlist.allows(URI.create("http://[::1]:8080/v1"))).isTrue();
    assertThat(allowlist.allows(URI.create("http://127.0.0.1:8080/v1"))).isFalse();
    assertThat(allowlist.allows(URI.create("/relative"))).isFalse();
  }

  @Test
  void aConfiguredHostOutsideTheListStopsStartUp() {
    assertThatThrownBy(
            () ->
                EgressAllowlist.from(
                    Env.of(Map.of("EGRESS_ALLOWED_HOSTS", "*.openai.azure.com")),
                    List.of(OPENAI, AZURE)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("EGRESS_ALLOWED_HOSTS")
        .hasMessageContaining("api.openai.com");
  }

  @Test
  void malformedEntriesAreRefused() {
    for (String bad : List.of("https://api.openai.com", "api.openai.com:443", "a/b", "*", "*.")) {
      assertThatThrownBy(
              () -> EgressAllowlist.from(Env.of(Map.of("EGRESS_ALLOWED_HOSTS", bad)), List.of()))
          .as(bad)
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("EGRESS_ALLOWED_HOSTS");
    }
    assertThatThrownBy(
            () -> EgressAllowlist.from(Env.of(Map.of("EGRESS_ALLOWED_HOSTS", " , ")), List.of()))
        .isInstanceOf(ConfigException.class);
  }
}

package dev.sluice.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.config.ConfigException;
import dev.sluice.config.Env;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AuthSettingsTest {
  private static final String SECRET = "0123456789abcdef0123456789abcdef-secret";

  @Test
  void readsEveryVariable() {
    AuthSettings settings =
        AuthSettings.from(
            Env.of(
                Map.of(
                    "DEV_MODE", "true",
                    "JWT_SECRET", SECRET,
                    "JWT_JWKS_URL", "https://idp.example/.well-known/jwks.json",
                    "JWT_ISSUER", "https://idp.example/",
                    "JWT_AUDIENCE", "sluice",
                    "JWT_CLOCK_SKEW_SECONDS", "5")));

    assertThat(settings.devMode()).isTrue();
    assertThat(settings.jwtSecret())
        .hasValueSatisfying(s -> assertThat(s).isEqualTo(SECRET.getBytes(StandardCharsets.UTF_8)));
    assertThat(settings.jwksUrl())
        .contains(URI.create("https://idp.example/.well-known/jwks.json"));
    assertThat(settings.issuer()).contains("https://idp.example/");
    assertThat(settings.audience()).contains("sluice");
    assertThat(settings.clockSkew()).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void defaultsAreProductionSafe() {
    AuthSettings settings = AuthSettings.from(Env.of(Map.of("JWT_SECRET", SECRET)));

    assertThat(settings.devMode()).isFalse();
    assertThat(settings.jwksUrl()).isEmpty();
    assertThat(settings.issuer()).isEmpty();
    assertThat(settings.audience()).isEmpty();
    assertThat(settings.clockSkew()).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void shortSecretStopsStartUpWithoutRevealingIt() {
    String shortSecret = "only-31-bytes-long-secret-value";
    assertThat(shortSecret.getBytes(StandardCharsets.UTF_8)).hasSize(31);

    assertThatThrownBy(() -> AuthSettings.from(Env.of(Map.of("JWT_SECRET", shortSecret))))
        .isInstanceOf(ConfigException.class)
        .hasMessage("JWT_SECRET must be at least 32 bytes (256 bits) for HS256")
        .hasMessageNotContaining(shortSecret);
  }

  @Test
  void secretLengthIsCountedInBytes() {
    // 11 euro signs are 33 UTF-8 bytes but only 11 characters.
    assertThat(AuthSettings.from(Env.of(Map.of("JWT_SECRET", "€".repeat(11)))).jwtSecret())
        .isPresent();
    assertThatThrownBy(() -> AuthSettings.from(Env.of(Map.of("JWT_SECRET", "€".repeat(10)))))
        .isInstanceOf(ConfigException.class);
  }

  @Test
  void refusesToStartWithNoWayToVerifyTokens() {
    assertThatThrownBy(() -> AuthSettings.from(Env.of(Map.of())))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("JWT_SECRET")
        .hasMessageContaining("JWT_JWKS_URL")
        .hasMessageContaining("DEV_MODE=true");
  }

  @Test
  void devModeAloneOrJwksAloneIsEnough() {
    assertThat(AuthSettings.from(Env.of(Map.of("DEV_MODE", "true"))).devMode()).isTrue();
    assertThat(
            AuthSettings.from(Env.of(Map.of("JWT_JWKS_URL", "https://idp.example/jwks"))).jwksUrl())
        .isPresent();
  }

  @ParameterizedTest
  @ValueSource(strings = {"file:///etc/passwd", "ftp://idp.example/jwks", "not a url", "/jwks"})
  void jwksUrlMustBeHttp(String url) {
    assertThatThrownBy(() -> AuthSettings.from(Env.of(Map.of("JWT_JWKS_URL", url))))
        .isInstanceOf(ConfigException.class)
        .hasMessage("JWT_JWKS_URL must be an http or https URL");
  }

  @ParameterizedTest
  @ValueSource(strings = {"-1", "301", "soon"})
  void clockSkewMustBeSmallAndNonNegative(String skew) {
    assertThatThrownBy(
            () ->
                AuthSettings.from(
                    Env.of(Map.of("JWT_SECRET", SECRET, "JWT_CLOCK_SKEW_SECONDS", skew))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("JWT_CLOCK_SKEW_SECONDS");
  }

  @Test
  void toStringHidesTheSecretAndUrlCredentials() {
    AuthSettings settings =
        AuthSettings.from(
            Env.of(
                Map.of(
                    "JWT_SECRET",
                    SECRET,
                    "JWT_JWKS_URL",
                    "https://user:hunter2@idp.example/jwks?api_key=k3y")));

    assertThat(settings.toString())
        .contains("jwtSecret=(set)")
        .contains("https://idp.example/jwks")
        .doesNotContain(SECRET)
        .doesNotContain("hunter2")
        .doesNotContain("k3y");
  }

  @Test
  void secretCannotBeChangedFromOutside() {
    byte[] secret = SECRET.getBytes(StandardCharsets.UTF_8);
    AuthSettings settings =
        new AuthSettings(
            false,
            Optional.of(secret),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Duration.ZERO);

    secret[0] = 'X';
    settings.jwtSecret().orElseThrow()[1] = 'Y';

    assertThat(settings.jwtSecret().orElseThrow())
        .isEqualTo(SECRET.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void equalityComparesSecretContents() {
    Env env = Env.of(Map.of("JWT_SECRET", SECRET));
    assertThat(AuthSettings.from(env)).isEqualTo(AuthSettings.from(env));
    assertThat(AuthSettings.from(env)).hasSameHashCodeAs(AuthSettings.from(env));
    assertThat(AuthSettings.from(env))
        .isNotEqualTo(AuthSettings.from(Env.of(Map.of("JWT_SECRET", SECRET + "!"))));
  }
}

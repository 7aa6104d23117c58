package dev.sluice.auth;

import dev.sluice.config.ConfigException;
import dev.sluice.config.DevMode;
import dev.sluice.config.Env;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * How bearer tokens are verified. Read once at start-up; a wrong value stops start-up with a
 * message naming the variable, never its value.
 *
 * @param devMode accept the fixed {@value TokenVerifier#DEV_TOKEN} as tenant {@code dev}; local use
 *     only
 * @param jwtSecret the shared HS256 secret ({@code JWT_SECRET}, UTF-8 bytes), at least 32 bytes
 * @param jwksUrl the identity provider's JWKS ({@code JWT_JWKS_URL}) for RS256 and ES256 tokens
 * @param issuer the required {@code iss} claim, checked only when set
 * @param audience a required {@code aud} value, checked only when set
 * @param clockSkew how far the clocks of token issuer and gateway may disagree
 */
public record AuthSettings(
    boolean devMode,
    Optional<byte[]> jwtSecret,
    Optional<URI> jwksUrl,
    Optional<String> issuer,
    Optional<String> audience,
    Duration clockSkew) {

  /** HS256 needs a key at least as long as its hash (RFC 7518, section 3.2). */
  public static final int MIN_SECRET_BYTES = 32;

  public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofSeconds(30);

  /** Beyond this a "skew" is a misconfigured clock, and it would stretch every token's life. */
  public static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(5);

  public AuthSettings {
    Objects.requireNonNull(jwtSecret, "jwtSecret");
    Objects.requireNonNull(jwksUrl, "jwksUrl");
    Objects.requireNonNull(issuer, "issuer");
    Objects.requireNonNull(audience, "audience");
    Objects.requireNonNull(clockSkew, "clockSkew");
    jwtSecret = jwtSecret.map(byte[]::clone);
    issuer = issuer.filter(s -> !s.isBlank());
    audience = audience.filter(s -> !s.isBlank());
    if (jwtSecret.isPresent() && jwtSecret.get().length < MIN_SECRET_BYTES) {
      throw new ConfigException("JWT_SECRET must be at least 32 bytes (256 bits) for HS256");
    }
    jwksUrl.ifPresent(AuthSettings::requireHttpUrl);
    if (clockSkew.isNegative() || clockSkew.compareTo(MAX_CLOCK_SKEW) > 0) {
      throw new ConfigException(
          "JWT_CLOCK_SKEW_SECONDS must be between 0 and " + MAX_CLOCK_SKEW.toSeconds());
    }
    if (!devMode && jwtSecret.isEmpty() && jwksUrl.isEmpty()) {
      throw new ConfigException(
          "no way to verify tokens: set JWT_SECRET (HS256) or JWT_JWKS_URL (RS256/ES256),"
              + " or DEV_MODE=true for local use");
    }
  }

  /**
   * Reads {@code DEV_MODE}, {@code JWT_SECRET}, {@code JWT_JWKS_URL}, {@code JWT_ISSUER}, {@code
   * JWT_AUDIENCE} and {@code JWT_CLOCK_SKEW_SECONDS}.
   */
  public static AuthSettings from(Env env) {
    return new AuthSettings(
        DevMode.from(env).on(),
        env.get("JWT_SECRET").map(s -> s.getBytes(StandardCharsets.UTF_8)),
        env.get("JWT_JWKS_URL").map(AuthSettings::parseUrl),
        env.get("JWT_ISSUER"),
        env.get("JWT_AUDIENCE"),
        Duration.ofSeconds(env.getLong("JWT_CLOCK_SKEW_SECONDS", DEFAULT_CLOCK_SKEW.toSeconds())));
  }

  /** A copy: the caller must not be able to change the secret the verifier holds. */
  @Override
  public Optional<byte[]> jwtSecret() {
    return jwtSecret.map(byte[]::clone);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof AuthSettings that
        && devMode == that.devMode
        && Arrays.equals(jwtSecret.orElse(null), that.jwtSecret.orElse(null))
        && jwksUrl.equals(that.jwksUrl)
        && issuer.equals(that.issuer)
        && audience.equals(that.audience)
        && clockSkew.equals(that.clockSkew);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        devMode, Arrays.hashCode(jwtSecret.orElse(null)), jwksUrl, issuer, audience, clockSkew);
  }

  @Override
  public String toString() {
    return "AuthSettings[devMode="
        + devMode
        + ", jwtSecret="
        + (jwtSecret.isPresent() ? "(set)" : "(unset)")
        + ", jwksUrl="
        + jwksUrl.map(AuthSettings::withoutCredentials).orElse("(unset)")
        + ", issuer="
        + issuer.orElse("(unset)")
        + ", audience="
        + audience.orElse("(unset)")
        + ", clockSkew="
        + clockSkew
        + "]";
  }

  /** For display: an IdP URL may carry credentials in its user info or query. */
  static String withoutCredentials(URI url) {
    try {
      return new URI(url.getScheme(), null, url.getHost(), url.getPort(), url.getPath(), null, null)
          .toString();
    } catch (URISyntaxException e) {
      return url.getScheme() + "://" + url.getHost();
    }
  }

  private static URI parseUrl(String value) {
    try {
      return new URI(value);
    } catch (URISyntaxException e) {
      throw new ConfigException("JWT_JWKS_URL must be an http or https URL");
    }
  }

  private static void requireHttpUrl(URI url) {
    // A file: or jar: URL would let configuration read local files through the key fetcher.
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    if (!(scheme.equals("http") || scheme.equals("https")) || url.getHost() == null) {
      throw new ConfigException("JWT_JWKS_URL must be an http or https URL");
    }
  }
}

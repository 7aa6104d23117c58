package dev.sluice.pipeline;

import dev.sluice.auth.AuthSettings;
import dev.sluice.auth.TokenMinter;
import dev.sluice.auth.TokenVerifier;
import dev.sluice.schemas.Json;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Credentials for tests: real HS256 tokens from {@link TokenMinter}, and hand-built ones (other
 * claims, {@code alg: none}) signed with the JDK alone so a forgery is exactly what the test says.
 */
public final class TestTokens {
  public static final byte[] SECRET =
      "sluice-pipeline-test-secret-0123456789-abcdef".getBytes(StandardCharsets.UTF_8);
  public static final byte[] OTHER_SECRET =
      "an-attackers-own-secret-0123456789-abcdefghij".getBytes(StandardCharsets.UTF_8);

  private TestTokens() {}

  public static TokenVerifier verifier(boolean devMode) {
    return TokenVerifier.create(
        new AuthSettings(
            devMode,
            Optional.of(SECRET),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            AuthSettings.DEFAULT_CLOCK_SKEW));
  }

  /** A valid token for {@code tenant}, issued at {@code issuedAt}, valid five minutes. */
  public static String mint(String tenant, Instant issuedAt) {
    return TokenMinter.hs256(SECRET).mint(tenant, "alice", Duration.ofMinutes(5), issuedAt);
  }

  /** Claims for a token: tenant, sub, and iat/exp in epoch seconds. */
  public static Map<String, Object> claims(String tenant, Instant issuedAt, Duration ttl) {
    Map<String, Object> claims = new LinkedHashMap<>();
    claims.put("tenant", tenant);
    claims.put("sub", "alice");
    claims.put("iat", issuedAt.getEpochSecond());
    claims.put("exp", issuedAt.plus(ttl).getEpochSecond());
    return claims;
  }

  /** An HS256 JWT over exactly these claims. */
  public static String hs256(byte[] secret, Map<String, Object> claims) {
    String signingInput = part(Map.of("alg", "HS256", "typ", "JWT")) + "." + part(claims);
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      byte[] signature = mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII));
      return signingInput + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(signature);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** An unsigned JWT ({@code alg: none}) over these claims. */
  public static String unsigned(Map<String, Object> claims) {
    return part(Map.of("alg", "none", "typ", "JWT")) + "." + part(claims) + ".";
  }

  private static String part(Map<String, Object> json) {
    try {
      return Base64.getUrlEncoder()
          .withoutPadding()
          .encodeToString(Json.mapper().writeValueAsBytes(json));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}

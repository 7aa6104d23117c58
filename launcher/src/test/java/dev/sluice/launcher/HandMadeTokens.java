package dev.sluice.launcher;

import dev.sluice.schemas.Json;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Tokens {@link dev.sluice.auth.TokenMinter} refuses to make: unsigned ones and ones without a
 * tenant. Built byte by byte, as an attacker would.
 */
final class HandMadeTokens {
  private HandMadeTokens() {}

  /** {@code alg: none}, no signature, otherwise perfectly valid claims for {@code tenant}. */
  static String unsigned(String tenant) {
    Map<String, Object> header = new LinkedHashMap<>();
    header.put("alg", "none");
    header.put("typ", "JWT");
    return part(header) + "." + part(validClaims(tenant)) + ".";
  }

  /** Correctly signed with {@code secret}, but with no {@code tenant} claim. */
  static String withoutTenant(String secret) {
    Map<String, Object> claims = validClaims(null);
    claims.put("sub", "someone");
    return hs256(secret, claims);
  }

  static String hs256(String secret, Map<String, Object> claims) {
    Map<String, Object> header = new LinkedHashMap<>();
    header.put("alg", "HS256");
    header.put("typ", "JWT");
    String signingInput = part(header) + "." + part(claims);
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      byte[] signature = mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII));
      return signingInput + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(signature);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Map<String, Object> validClaims(String tenant) {
    long now = Instant.now().getEpochSecond();
    Map<String, Object> claims = new LinkedHashMap<>();
    if (tenant != null) {
      claims.put("tenant", tenant);
    }
    claims.put("iat", now);
    claims.put("exp", now + 600);
    return claims;
  }

  private static String part(Map<String, Object> json) {
    try {
      return Base64.getUrlEncoder()
          .withoutPadding()
          .encodeToString(Json.mapper().writeValueAsBytes(json));
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }
}

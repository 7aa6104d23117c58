package dev.sluice.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Optional;

/** Builds good and deliberately bad tokens for the verifier tests. */
final class TestTokens {
  static final byte[] SECRET =
      "test-secret-for-hs256-at-least-32-bytes-long".getBytes(StandardCharsets.UTF_8);

  private TestTokens() {}

  /** Claims for {@code tenant}/{@code subject}, issued a minute before {@code at}, valid 1 h. */
  static JWTClaimsSet.Builder claims(String tenant, String subject, Instant at) {
    JWTClaimsSet.Builder claims =
        new JWTClaimsSet.Builder()
            .claim("tenant", tenant)
            .issueTime(Date.from(at.minusSeconds(60)))
            .expirationTime(Date.from(at.plus(Duration.ofHours(1))));
    return subject == null ? claims : claims.subject(subject);
  }

  static String hs256(JWTClaimsSet claims) {
    return hs256(SECRET, claims);
  }

  static String hs256(byte[] secret, JWTClaimsSet claims) {
    try {
      return sign(new JWSHeader(JWSAlgorithm.HS256), claims, new MACSigner(secret));
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  static String sign(JWSHeader header, JWTClaimsSet claims, JWSSigner signer) {
    SignedJWT jwt = new SignedJWT(header, claims);
    try {
      jwt.sign(signer);
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
    return jwt.serialize();
  }

  /** The token with its header replaced, signature kept. */
  static String withHeader(String token, String headerJson) {
    String[] parts = token.split("\\.", -1);
    return base64(headerJson) + "." + parts[1] + "." + parts[2];
  }

  /** The token with its payload replaced, signature kept. */
  static String withPayload(String token, String payloadJson) {
    String[] parts = token.split("\\.", -1);
    return parts[0] + "." + base64(payloadJson) + "." + parts[2];
  }

  static String payloadJson(String token) {
    return new Base64URL(token.split("\\.", -1)[1]).decodeToString();
  }

  static String base64(String json) {
    return Base64URL.encode(json.getBytes(StandardCharsets.UTF_8)).toString();
  }

  static AuthSettings hmacSettings(boolean devMode) {
    return new AuthSettings(
        devMode,
        Optional.of(SECRET),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        AuthSettings.DEFAULT_CLOCK_SKEW);
  }
}

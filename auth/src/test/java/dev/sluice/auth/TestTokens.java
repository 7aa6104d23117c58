package dev.sluice.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Credentials for the tests of every module (shipped in the auth test-jar): real tokens from {@link
 * TokenMinter}, and the ones it refuses to make (other claims, other algorithms, {@code alg: none},
 * a payload swapped under its signature), built as an attacker would.
 */
public final class TestTokens {
  public static final byte[] SECRET =
      "test-secret-for-hs256-at-least-32-bytes-long".getBytes(StandardCharsets.UTF_8);
  public static final byte[] OTHER_SECRET =
      "an-attackers-own-secret-0123456789-abcdefghij".getBytes(StandardCharsets.UTF_8);

  private TestTokens() {}

  /** Verifies HS256 tokens signed with {@link #SECRET}. */
  public static AuthSettings hmacSettings(boolean devMode) {
    return new AuthSettings(
        devMode,
        Optional.of(SECRET),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        AuthSettings.DEFAULT_CLOCK_SKEW);
  }

  public static TokenVerifier verifier(boolean devMode) {
    return TokenVerifier.create(hmacSettings(devMode));
  }

  /**
   * A verifier for RS256/ES256 tokens whose identity provider cannot be reached, so every such
   * token meets {@link InvalidTokenException.Reason#KEYS_UNAVAILABLE}. Close it after use.
   */
  public static TokenVerifier unreachableProviderVerifier() {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return TokenVerifier.create(
        new AuthSettings(
            false,
            Optional.empty(),
            Optional.of(URI.create("http://127.0.0.1:" + closedPort + "/.well-known/jwks.json")),
            Optional.empty(),
            Optional.empty(),
            AuthSettings.DEFAULT_CLOCK_SKEW));
  }

  /** An RS256 token for {@code tenant}, as an identity provider would issue it. */
  public static String providerToken(String tenant, Instant at) {
    try {
      RSAKey key = new RSAKeyGenerator(2048).keyID("provider-1").generate();
      return rs256(key, claims(tenant, "alice", at).build());
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A valid token from the production minter: {@code tenant}, sub alice, valid five minutes. */
  public static String mint(String tenant, Instant issuedAt) {
    return TokenMinter.hs256(SECRET).mint(tenant, "alice", Duration.ofMinutes(5), issuedAt);
  }

  /**
   * Claims for {@code tenant}/{@code subject} (no sub when null), issued a minute before {@code
   * at}, valid 1 h.
   */
  public static JWTClaimsSet.Builder claims(String tenant, String subject, Instant at) {
    JWTClaimsSet.Builder claims =
        new JWTClaimsSet.Builder()
            .claim("tenant", tenant)
            .issueTime(Date.from(at.minusSeconds(60)))
            .expirationTime(Date.from(at.plus(Duration.ofHours(1))));
    return subject == null ? claims : claims.subject(subject);
  }

  public static String hs256(JWTClaimsSet claims) {
    return hs256(SECRET, claims);
  }

  public static String hs256(byte[] secret, JWTClaimsSet claims) {
    try {
      return sign(new JWSHeader(JWSAlgorithm.HS256), claims, new MACSigner(secret));
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** RS256 with the key's id in the header, as an identity provider signs. */
  public static String rs256(RSAKey key, JWTClaimsSet claims) {
    try {
      return sign(
          new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(),
          claims,
          new RSASSASigner(key));
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** ES256 with the key's id in the header. */
  public static String es256(ECKey key, JWTClaimsSet claims) {
    try {
      return sign(
          new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID()).build(),
          claims,
          new ECDSASigner(key));
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  public static String sign(JWSHeader header, JWTClaimsSet claims, JWSSigner signer) {
    SignedJWT jwt = new SignedJWT(header, claims);
    try {
      jwt.sign(signer);
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
    return jwt.serialize();
  }

  /** {@code alg: none} over these claims, with an empty signature. */
  public static String unsigned(JWTClaimsSet claims) {
    return base64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + base64(claims.toString()) + ".";
  }

  /** The token with its header replaced, signature kept. */
  public static String withHeader(String token, String headerJson) {
    String[] parts = token.split("\\.", -1);
    return base64(headerJson) + "." + parts[1] + "." + parts[2];
  }

  /** The token with its payload replaced, signature kept. */
  public static String withPayload(String token, String payloadJson) {
    String[] parts = token.split("\\.", -1);
    return parts[0] + "." + base64(payloadJson) + "." + parts[2];
  }

  /**
   * The token's header kept and its HS256 signature recomputed over exactly {@code payloadJson}, so
   * only the payload is wrong.
   */
  public static String resigned(byte[] secret, String token, String payloadJson) {
    String signingInput = token.split("\\.", -1)[0] + "." + base64(payloadJson);
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      byte[] signature = mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII));
      return signingInput + "." + Base64URL.encode(signature);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  public static String payloadJson(String token) {
    return new Base64URL(token.split("\\.", -1)[1]).decodeToString();
  }

  public static String base64(String json) {
    return Base64URL.encode(json.getBytes(StandardCharsets.UTF_8)).toString();
  }
}

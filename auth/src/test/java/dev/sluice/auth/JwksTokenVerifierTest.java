package dev.sluice.auth;

import static dev.sluice.auth.TestTokens.SECRET;
import static dev.sluice.auth.TestTokens.claims;
import static dev.sluice.auth.TestTokens.es256;
import static dev.sluice.auth.TestTokens.rs256;
import static dev.sluice.auth.TokenVerifierTest.reasonFor;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.sluice.auth.InvalidTokenException.Reason;
import dev.sluice.schemas.Principal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** RS256 and ES256 tokens checked against an identity provider's JWKS served over HTTP. */
class JwksTokenVerifierTest {
  private static final Instant AT = Instant.parse("2030-06-01T12:00:00Z");

  private static RSAKey rsa;
  private static RSAKey rotatedRsa;
  private static RSAKey attackerRsa;
  private static ECKey ec;
  private static ECKey attackerEc;

  private final JwksServer idp = new JwksServer();
  private TokenVerifier verifier;

  @BeforeAll
  static void generateKeys() throws Exception {
    rsa = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
    rotatedRsa = new RSAKeyGenerator(2048).keyID("rsa-2").generate();
    attackerRsa = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
    ec = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
    attackerEc = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
  }

  @AfterEach
  void stop() {
    if (verifier != null) {
      verifier.close();
    }
    idp.close();
  }

  @Test
  void acceptsRs256AndEs256TokensFromTheProvidersKeys() throws Exception {
    idp.serve(rsa, ec);
    verifier = jwksOnly();

    assertThat(verifier.verify(rs256(rsa, claims("acme", "alice", AT).build()), AT))
        .isEqualTo(new Principal("acme", "alice"));
    assertThat(verifier.verify(es256(ec, claims("globex", "bob", AT).build()), AT))
        .isEqualTo(new Principal("globex", "bob"));
    assertThat(idp.hits()).as("the key set is cached").isEqualTo(1);
  }

  @Test
  void tokenWithoutKidIsCheckedAgainstEveryKeyOfItsType() throws Exception {
    idp.serve(rotatedRsa, rsa);
    verifier = jwksOnly();
    String token =
        TestTokens.sign(
            new JWSHeader(JWSAlgorithm.RS256),
            claims("acme", "alice", AT).build(),
            new RSASSASigner(rsa));

    assertThat(verifier.verify(token, AT)).isEqualTo(new Principal("acme", "alice"));
  }

  @Test
  void keyRotationWorksWithoutRestartingTheVerifier() throws Exception {
    idp.serve(rsa);
    verifier = jwksOnly();
    assertThat(verifier.verify(rs256(rsa, claims("acme", "alice", AT).build()), AT)).isNotNull();

    idp.serve(rotatedRsa);
    assertThat(verifier.verify(rs256(rotatedRsa, claims("acme", "alice", AT).build()), AT))
        .isEqualTo(new Principal("acme", "alice"));
    assertThat(idp.hits()).isEqualTo(2);
  }

  @Test
  void aFloodOfUnknownKeyIdsCannotHammerTheProvider() throws Exception {
    idp.serve(rsa);
    verifier = jwksOnly();
    String good = rs256(rsa, claims("acme", "alice", AT).build());
    assertThat(verifier.verify(good, AT)).isNotNull();

    for (int i = 0; i < 200; i++) {
      String randomKid =
          TestTokens.sign(
              new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(UUID.randomUUID().toString()).build(),
              claims("acme", "alice", AT).build(),
              new RSASSASigner(rsa));
      assertThat(reasonFor(verifier, randomKid, AT)).isEqualTo(Reason.UNKNOWN_KEY);
    }

    assertThat(idp.hits()).isLessThanOrEqualTo(2);
    assertThat(verifier.verify(good, AT)).as("known keys still work").isNotNull();
  }

  @Test
  void hs256IsRefusedWhenOnlyJwksIsConfigured() {
    idp.serve(rsa);
    verifier = jwksOnly();

    assertThat(reasonFor(verifier, TestTokens.hs256(claims("acme", "alice", AT).build()), AT))
        .isEqualTo(Reason.ALGORITHM_NOT_ALLOWED);
  }

  @Test
  void rsaPublicKeyUsedAsAnHmacSecretIsRefused() throws Exception {
    // The classic key-confusion forgery: the public key is public, so anyone can "sign" with it.
    JWTClaimsSet claims = claims("acme", "alice", AT).build();
    JWSHeader header = new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("rsa-1").build();
    String withDer =
        TestTokens.sign(header, claims, new MACSigner(rsa.toRSAPublicKey().getEncoded()));
    String withJwk =
        TestTokens.sign(
            header,
            claims,
            new MACSigner(rsa.toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8)));
    idp.serve(rsa);

    verifier = jwksOnly();
    assertThat(reasonFor(verifier, withDer, AT)).isEqualTo(Reason.ALGORITHM_NOT_ALLOWED);
    assertThat(reasonFor(verifier, withJwk, AT)).isEqualTo(Reason.ALGORITHM_NOT_ALLOWED);
    verifier.close();

    // With HS256 allowed too, the HMAC key is JWT_SECRET and never a provider key.
    verifier = both();
    assertThat(reasonFor(verifier, withDer, AT)).isEqualTo(Reason.BAD_SIGNATURE);
    assertThat(reasonFor(verifier, withJwk, AT)).isEqualTo(Reason.BAD_SIGNATURE);
  }

  @Test
  void changingTheAlgorithmOfASignedTokenIsRefused() {
    idp.serve(rsa, ec);
    verifier = both();
    String token = rs256(rsa, claims("acme", "alice", AT).build());

    assertThat(reasonFor(verifier, TestTokens.withHeader(token, header("HS256", "rsa-1")), AT))
        .isEqualTo(Reason.BAD_SIGNATURE);
    assertThat(reasonFor(verifier, TestTokens.withHeader(token, header("RS384", "rsa-1")), AT))
        .isEqualTo(Reason.ALGORITHM_NOT_ALLOWED);
    assertThat(reasonFor(verifier, TestTokens.withHeader(token, header("PS256", "rsa-1")), AT))
        .isEqualTo(Reason.ALGORITHM_NOT_ALLOWED);
    assertThat(reasonFor(verifier, TestTokens.withHeader(token, header("ES256", "ec-1")), AT))
        .isEqualTo(Reason.BAD_SIGNATURE);
    assertThat(reasonFor(verifier, TestTokens.withHeader(token, header("ES256", "rsa-1")), AT))
        .isIn(Reason.UNKNOWN_KEY, Reason.BAD_SIGNATURE);
  }

  @Test
  void tokensSignedWithOtherKeysAreRefused() throws Exception {
    idp.serve(rsa, ec);
    verifier = jwksOnly();
    JWTClaimsSet claims = claims("acme", "alice", AT).build();

    // Same kid, attacker's key.
    assertThat(reasonFor(verifier, rs256(attackerRsa, claims), AT)).isEqualTo(Reason.BAD_SIGNATURE);
    assertThat(reasonFor(verifier, es256(attackerEc, claims), AT)).isEqualTo(Reason.BAD_SIGNATURE);

    // The attacker's public key embedded in the header is ignored: keys come only from the JWKS.
    String embedded =
        TestTokens.sign(
            new JWSHeader.Builder(JWSAlgorithm.RS256).jwk(attackerRsa.toPublicJWK()).build(),
            claims,
            new RSASSASigner(attackerRsa));
    assertThat(reasonFor(verifier, embedded, AT)).isEqualTo(Reason.BAD_SIGNATURE);
  }

  @Test
  void tamperedPayloadIsRefused() {
    idp.serve(rsa);
    verifier = jwksOnly();
    String token = rs256(rsa, claims("acme", "alice", AT).build());
    String forged =
        TestTokens.withPayload(
            token, TestTokens.payloadJson(token).replace("\"acme\"", "\"megacorp\""));

    assertThat(reasonFor(verifier, forged, AT)).isEqualTo(Reason.BAD_SIGNATURE);
  }

  @Test
  void claimRulesApplyToProviderTokensToo() throws Exception {
    idp.serve(rsa);
    verifier = jwksOnly();
    String token = rs256(rsa, claims("acme", "alice", AT).build());

    assertThat(verifier.verify(token, AT)).isNotNull();
    assertThat(reasonFor(verifier, token, AT.plus(Duration.ofHours(2)))).isEqualTo(Reason.EXPIRED);
    assertThat(
            reasonFor(
                verifier,
                rs256(rsa, claims("acme", "alice", AT).claim("tenant", null).build()),
                AT))
        .isEqualTo(Reason.MISSING_TENANT);
  }

  @Test
  void bothVerifiersCanBeConfiguredAtOnce() throws Exception {
    idp.serve(rsa, ec);
    verifier = both();

    assertThat(verifier.verify(TestTokens.hs256(claims("a", "1", AT).build()), AT))
        .isEqualTo(new Principal("a", "1"));
    assertThat(verifier.verify(rs256(rsa, claims("b", "2", AT).build()), AT))
        .isEqualTo(new Principal("b", "2"));
    assertThat(verifier.verify(es256(ec, claims("c", "3", AT).build()), AT))
        .isEqualTo(new Principal("c", "3"));
  }

  @Test
  void anUnreachableProviderFailsClosedAndLeavesHs256Working() throws Exception {
    // How fast it fails is bounded by the fetch's own timeouts, not asserted here (no timing in
    // unit tests).
    idp.serve(rsa);
    verifier = both();
    idp.close();

    assertThat(reasonFor(verifier, rs256(rsa, claims("acme", "alice", AT).build()), AT))
        .isEqualTo(Reason.KEYS_UNAVAILABLE);

    assertThat(verifier.verify(TestTokens.hs256(claims("acme", "alice", AT).build()), AT))
        .isEqualTo(new Principal("acme", "alice"));
  }

  @Test
  void expiryOfProviderTokensUsesTheGivenInstant() throws Exception {
    idp.serve(ec);
    verifier = jwksOnly();
    String token =
        es256(
            ec,
            claims("acme", "alice", AT)
                .issueTime(Date.from(AT.minus(Duration.ofHours(1))))
                .expirationTime(Date.from(AT.minusSeconds(60)))
                .build());

    assertThat(reasonFor(verifier, token, AT)).isEqualTo(Reason.EXPIRED);
    assertThat(verifier.verify(token, AT.minus(Duration.ofMinutes(30)))).isNotNull();
  }

  private TokenVerifier jwksOnly() {
    return TokenVerifier.create(
        new AuthSettings(
            false,
            Optional.empty(),
            Optional.of(idp.uri()),
            Optional.empty(),
            Optional.empty(),
            AuthSettings.DEFAULT_CLOCK_SKEW));
  }

  private TokenVerifier both() {
    return TokenVerifier.create(
        new AuthSettings(
            false,
            Optional.of(SECRET),
            Optional.of(idp.uri()),
            Optional.empty(),
            Optional.empty(),
            AuthSettings.DEFAULT_CLOCK_SKEW));
  }

  private static String header(String alg, String kid) {
    return "{\"alg\":\"" + alg + "\",\"kid\":\"" + kid + "\"}";
  }
}

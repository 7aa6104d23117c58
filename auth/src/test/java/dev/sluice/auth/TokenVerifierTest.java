package dev.sluice.auth;

import static dev.sluice.auth.TestTokens.SECRET;
import static dev.sluice.auth.TestTokens.claims;
import static dev.sluice.auth.TestTokens.hs256;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.nimbusds.jose.EncryptionMethod;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.DirectEncrypter;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.EncryptedJWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import dev.sluice.auth.InvalidTokenException.Reason;
import dev.sluice.schemas.Principal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

/** The rules every token must pass, shown with HS256 tokens (JWKS specifics are elsewhere). */
class TokenVerifierTest {
  private static final Instant AT = Instant.parse("2030-06-01T12:00:00Z");

  private final TokenVerifier verifier = TokenVerifier.create(TestTokens.hmacSettings(false));

  @AfterEach
  void close() {
    verifier.close();
  }

  @Test
  void acceptsAValidToken() throws Exception {
    String token = hs256(claims("acme", "alice", AT).build());

    assertThat(verifier.verify(token, AT)).isEqualTo(new Principal("acme", "alice"));
  }

  @Test
  void subjectIsOptional() throws Exception {
    String token = hs256(claims("acme", null, AT).build());

    assertThat(verifier.verify(token, AT)).isEqualTo(new Principal("acme", ""));
  }

  @Test
  void devTokenIsAcceptedOnlyInDevMode() throws Exception {
    try (TokenVerifier dev = TokenVerifier.create(TestTokens.hmacSettings(true))) {
      assertThat(dev.verify("dev-token", AT)).isEqualTo(new Principal("dev", "dev"));
      // Dev mode does not weaken anything else.
      assertThat(dev.verify(hs256(claims("acme", "alice", AT).build()), AT))
          .isEqualTo(new Principal("acme", "alice"));
    }

    assertRejected("dev-token", Reason.MALFORMED);
  }

  @Test
  void devModeWithoutKeysAcceptsOnlyTheDevToken() throws Exception {
    AuthSettings devOnly =
        new AuthSettings(
            true,
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            AuthSettings.DEFAULT_CLOCK_SKEW);
    try (TokenVerifier dev = TokenVerifier.create(devOnly)) {
      assertThat(dev.verify("dev-token", AT)).isEqualTo(new Principal("dev", "dev"));
      assertThat(reasonFor(dev, hs256(claims("acme", "alice", AT).build()), AT))
          .isEqualTo(Reason.ALGORITHM_NOT_ALLOWED);
    }
  }

  @Test
  void expiryIsJudgedAtTheGivenInstantNotNow() throws Exception {
    Instant now = Instant.now();

    // Valid now, but the record it came in was appended after it expired.
    String validNow = hs256(claims("acme", "alice", now).build());
    assertThat(verifier.verify(validNow, now)).isEqualTo(new Principal("acme", "alice"));
    assertRejected(validNow, now.plus(Duration.ofHours(2)), Reason.EXPIRED);

    // Expired now, but it was valid when the broker accepted the record.
    Instant appended = now.minus(Duration.ofHours(3));
    String expiredNow = hs256(claims("acme", "alice", appended).build());
    assertRejected(expiredNow, now, Reason.EXPIRED);
    assertThat(verifier.verify(expiredNow, appended)).isEqualTo(new Principal("acme", "alice"));
  }

  @Test
  void expiryAllowsTheConfiguredClockSkew() throws Exception {
    String token =
        hs256(claims("acme", "alice", AT).expirationTime(Date.from(AT.minusSeconds(20))).build());
    assertThat(verifier.verify(token, AT)).isEqualTo(new Principal("acme", "alice"));

    assertThat(verifier.verify(token, AT.plusSeconds(9))).isNotNull();
    assertRejected(token, AT.plusSeconds(10), Reason.EXPIRED);
    assertRejected(token, AT.plusSeconds(11), Reason.EXPIRED);
  }

  @Test
  void zeroSkewMeansExpiredAtExp() throws Exception {
    AuthSettings strict =
        new AuthSettings(
            false,
            Optional.of(SECRET),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Duration.ZERO);
    String token = hs256(claims("acme", "alice", AT).expirationTime(Date.from(AT)).build());
    try (TokenVerifier zeroSkew = TokenVerifier.create(strict)) {
      assertThat(zeroSkew.verify(token, AT.minusSeconds(1))).isNotNull();
      assertThat(reasonFor(zeroSkew, token, AT)).isEqualTo(Reason.EXPIRED);
    }
  }

  @Test
  void notBeforeIsHonouredWithSkew() throws Exception {
    String soon =
        hs256(claims("acme", "alice", AT).notBeforeTime(Date.from(AT.plusSeconds(20))).build());
    String later =
        hs256(claims("acme", "alice", AT).notBeforeTime(Date.from(AT.plusSeconds(60))).build());

    assertThat(verifier.verify(soon, AT)).isNotNull();
    assertRejected(later, AT, Reason.NOT_YET_VALID);
    assertThat(verifier.verify(later, AT.plusSeconds(60))).isNotNull();
  }

  @Test
  void issuedInTheFutureBeyondSkewIsRefused() throws Exception {
    String slightly =
        hs256(claims("acme", "alice", AT).issueTime(Date.from(AT.plusSeconds(20))).build());
    String farAhead =
        hs256(claims("acme", "alice", AT).issueTime(Date.from(AT.plusSeconds(120))).build());

    assertThat(verifier.verify(slightly, AT)).isNotNull();
    assertRejected(farAhead, AT, Reason.ISSUED_IN_FUTURE);
  }

  @Test
  void expiryIsRequired() {
    String token = hs256(claims("acme", "alice", AT).expirationTime(null).build());

    assertRejected(token, Reason.MISSING_EXPIRY);
  }

  @Test
  void tenantIsRequired() {
    assertRejected(
        hs256(claims("acme", "alice", AT).claim("tenant", null).build()), Reason.MISSING_TENANT);
    assertRejected(hs256(claims("  ", "alice", AT).build()), Reason.MISSING_TENANT);
  }

  @Test
  void tenantMustBeASaneString() {
    assertRejected(
        hs256(claims("acme", "alice", AT).claim("tenant", 42).build()), Reason.INVALID_TENANT);
    assertRejected(
        hs256(claims("acme", "alice", AT).claim("tenant", List.of("a", "b")).build()),
        Reason.INVALID_TENANT);
    assertRejected(
        hs256(claims("acme\nforged log line", "alice", AT).build()), Reason.INVALID_TENANT);
    assertRejected(hs256(claims("a".repeat(257), "alice", AT).build()), Reason.INVALID_TENANT);
    assertRejected(hs256(claims("acme", "bob\r\n", AT).build()), Reason.INVALID_SUBJECT);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "acme\u202e", // right-to-left override: renders as another tenant's name
        "ac\u200bme", // zero-width space: looks exactly like acme
        "\u0430cme", // Cyrillic a
        "../acme",
        "acme/..",
        "..",
        ".",
        "...",
        "-",
        "acme corp",
        "acme\\x",
        "acme\u0000"
      })
  void refusesTenantClaimsOutsideTheSafeSet(String tenant) {
    assertRejected(hs256(claims(tenant, "alice", AT).build()), Reason.INVALID_TENANT);
  }

  @Test
  void tenantsMayBeUpTo128CharactersOfTheSafeSet() throws Exception {
    for (String tenant :
        List.of(
            "a",
            "Acme",
            "acme.corp",
            "acme_eu-1",
            "org:acme",
            "acme@eu",
            "-acme",
            ".acme",
            "a".repeat(128))) {
      assertThat(verifier.verify(hs256(claims(tenant, "alice", AT).build()), AT).tenant())
          .isEqualTo(tenant);
    }
    assertRejected(hs256(claims("a".repeat(129), "alice", AT).build()), Reason.INVALID_TENANT);
  }

  @Test
  void tenantsAreCaseSensitive() throws Exception {
    assertThat(verifier.verify(hs256(claims("Acme", "alice", AT).build()), AT))
        .isNotEqualTo(verifier.verify(hs256(claims("acme", "alice", AT).build()), AT));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "alice\u202e",
        "al\u200dice",
        "\u0430lice",
        "alice smith",
        "alice\"",
        "alice\\",
        "<alice>",
        ""
      })
  void refusesSubjectClaimsOutsideTheSafeSet(String subject) {
    assertRejected(hs256(claims("acme", subject, AT).build()), Reason.INVALID_SUBJECT);
  }

  @Test
  void subjectsMayHoldWhatIdentityProvidersPutThere() throws Exception {
    for (String subject :
        List.of(
            "auth0|65f1c2d3e4",
            "repo:acme/gateway:ref:refs/heads/main",
            "spiffe://acme.example/ns/batch/sa/loader",
            "alice+ops@acme.example",
            "00u1a2b3c4D5e6F7g8h9",
            "a".repeat(256))) {
      assertThat(verifier.verify(hs256(claims("acme", subject, AT).build()), AT).subject())
          .isEqualTo(subject);
    }
    assertRejected(hs256(claims("acme", "a".repeat(257), AT).build()), Reason.INVALID_SUBJECT);
  }

  @Test
  void wrongSecretIsABadSignature() {
    byte[] other = "another-secret-that-is-also-32-bytes-long".getBytes(StandardCharsets.UTF_8);

    assertRejected(hs256(other, claims("acme", "alice", AT).build()), Reason.BAD_SIGNATURE);
  }

  @Test
  void tamperedPayloadIsABadSignature() {
    String token = hs256(claims("acme", "alice", AT).build());
    String forged =
        TestTokens.withPayload(
            token, TestTokens.payloadJson(token).replace("\"acme\"", "\"megacorp\""));

    assertThat(TestTokens.payloadJson(forged)).contains("megacorp");
    assertRejected(forged, Reason.BAD_SIGNATURE);
  }

  @Test
  void unsignedTokensAreRefused() {
    JWTClaimsSet claims = claims("acme", "alice", AT).build();
    String none = new PlainJWT(claims).serialize();
    assertRejected(none, Reason.UNSIGNED);

    // alg "none" pasted onto a validly signed token: still no.
    String signed = hs256(claims);
    String relabelled = TestTokens.withHeader(signed, "{\"alg\":\"none\"}");
    assertThat(reasonFor(verifier, relabelled, AT)).isIn(Reason.UNSIGNED, Reason.MALFORMED);
    assertThat(reasonFor(verifier, TestTokens.withHeader(signed, "{\"alg\":\"NONE\"}"), AT))
        .isNotNull();
  }

  @Test
  void onlyTheConfiguredAlgorithmIsAccepted() throws Exception {
    JWTClaimsSet claims = claims("acme", "alice", AT).build();
    // HS384 and HS512 need longer keys; the verifier must refuse them before any key is used.
    byte[] longSecret = Arrays.copyOf(SECRET, 64);
    String hs384 =
        TestTokens.sign(new JWSHeader(JWSAlgorithm.HS384), claims, new MACSigner(longSecret));
    String hs512 =
        TestTokens.sign(new JWSHeader(JWSAlgorithm.HS512), claims, new MACSigner(longSecret));
    String rs256 =
        TestTokens.sign(
            new JWSHeader(JWSAlgorithm.RS256),
            claims,
            new RSASSASigner(new RSAKeyGenerator(2048).generate()));

    assertRejected(hs384, Reason.ALGORITHM_NOT_ALLOWED);
    assertRejected(hs512, Reason.ALGORITHM_NOT_ALLOWED);
    assertRejected(rs256, Reason.ALGORITHM_NOT_ALLOWED);
  }

  @Test
  void encryptedTokensAreRefused() throws JOSEException {
    EncryptedJWT jwe =
        new EncryptedJWT(
            new JWEHeader(JWEAlgorithm.DIR, EncryptionMethod.A256GCM),
            claims("acme", "alice", AT).build());
    jwe.encrypt(new DirectEncrypter(Arrays.copyOf(SECRET, 32)));

    assertRejected(jwe.serialize(), Reason.ALGORITHM_NOT_ALLOWED);
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {" ", "\t\n"})
  void missingTokenIsRefused(String token) {
    assertRejected(token, Reason.MISSING);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "abc",
        "Bearer abc",
        "a.b.c",
        "..",
        "....",
        "eyJ.eyJ.sig",
        "!!!.???.***",
        "e30.e30.",
        "bm90IGpzb24.e30.c2ln"
      })
  void malformedTokensAreRefused(String token) {
    assertThat(reasonFor(verifier, token, AT)).isIn(Reason.MALFORMED, Reason.ALGORITHM_NOT_ALLOWED);
  }

  @Test
  void malformedClaimsAreRefused() {
    String token = hs256(claims("acme", "alice", AT).build());

    assertRejected(TestTokens.resigned(SECRET, token, "not json"), Reason.MALFORMED_CLAIMS);
    assertRejected(
        TestTokens.resigned(SECRET, token, "{\"tenant\":\"acme\",\"exp\":\"tomorrow\"}"),
        Reason.MALFORMED_CLAIMS);
    assertRejected(
        TestTokens.resigned(
            SECRET, token, "{\"tenant\":\"acme\",\"sub\":{\"id\":7},\"exp\":9999999999}"),
        Reason.MALFORMED_CLAIMS);
  }

  @Test
  void deeplyNestedJsonIsRefusedNotACrash() {
    int depth = 4_000;
    String nested = "{\"tenant\":\"acme\",\"x\":" + "[".repeat(depth) + "]".repeat(depth) + "}";
    String token = TestTokens.resigned(SECRET, hs256(claims("acme", "alice", AT).build()), nested);
    assertThat(token.length()).isLessThanOrEqualTo(TokenVerifier.MAX_TOKEN_CHARS);

    Throwable thrown = catchThrowable(() -> verifier.verify(token, AT));
    assertThat(thrown).isInstanceOf(InvalidTokenException.class);
  }

  @Test
  void overLongTokensAreRefusedBeforeParsing() {
    String token =
        hs256(
            claims("acme", "alice", AT)
                .claim("padding", "x".repeat(TokenVerifier.MAX_TOKEN_CHARS))
                .build());

    assertRejected(token, Reason.TOO_LONG);
    assertRejected("x".repeat(TokenVerifier.MAX_TOKEN_CHARS + 1), Reason.TOO_LONG);
  }

  @Test
  void issuerAndAudienceAreCheckedWhenConfigured() throws Exception {
    AuthSettings strict =
        new AuthSettings(
            false,
            Optional.of(SECRET),
            Optional.empty(),
            Optional.of("https://idp.example/"),
            Optional.of("sluice"),
            AuthSettings.DEFAULT_CLOCK_SKEW);
    JWTClaimsSet.Builder good =
        claims("acme", "alice", AT)
            .issuer("https://idp.example/")
            .audience(List.of("other", "sluice"));

    try (TokenVerifier checking = TokenVerifier.create(strict)) {
      assertThat(checking.verify(hs256(good.build()), AT))
          .isEqualTo(new Principal("acme", "alice"));
      assertThat(
              reasonFor(
                  checking, hs256(claims("acme", "alice", AT).audience("sluice").build()), AT))
          .isEqualTo(Reason.WRONG_ISSUER);
      assertThat(reasonFor(checking, hs256(good.issuer("https://evil.example/").build()), AT))
          .isEqualTo(Reason.WRONG_ISSUER);
      assertThat(
              reasonFor(
                  checking,
                  hs256(good.issuer("https://idp.example/").audience("someone-else").build()),
                  AT))
          .isEqualTo(Reason.WRONG_AUDIENCE);
      assertThat(reasonFor(checking, hs256(good.audience((String) null).build()), AT))
          .isEqualTo(Reason.WRONG_AUDIENCE);
    }

    // Not configured: not checked.
    String anyIssuer =
        hs256(claims("acme", "alice", AT).issuer("whoever").audience("whatever").build());
    assertThat(verifier.verify(anyIssuer, AT)).isEqualTo(new Principal("acme", "alice"));
  }

  @Test
  void refusalsNeverCarryTheTokenOrClaimValuesAndHaveNoStackTrace() {
    String marker = "SENTINEL-7f3a";
    List<String> tokens =
        List.of(
            hs256(
                claims(marker, marker, AT)
                    .expirationTime(Date.from(AT.minusSeconds(3600)))
                    .build()),
            hs256(claims(marker, marker, AT).claim("tenant", marker + "\n").build()),
            hs256(
                "another-secret-that-is-also-32-bytes-long".getBytes(StandardCharsets.UTF_8),
                claims(marker, marker, AT).build()),
            marker + "." + marker + "." + marker,
            "dev-token-" + marker);

    for (String token : tokens) {
      InvalidTokenException e =
          catchThrowableOfType(InvalidTokenException.class, () -> verifier.verify(token, AT));
      assertThat(e).as("refused").isNotNull();
      assertThat(e.getMessage())
          .isEqualTo(e.reason().description())
          .doesNotContain(marker)
          .doesNotContain(token);
      assertThat(e.getStackTrace()).isEmpty();
      assertThat(e.getCause()).isNull();
    }
  }

  @Test
  void isSafeToShareAcrossThreads() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<Principal>> results = new ArrayList<>();
      for (int i = 0; i < 2_000; i++) {
        String tenant = "tenant-" + (i % 17);
        String token = hs256(claims(tenant, "user-" + i, AT).build());
        results.add(pool.submit(() -> verifier.verify(token, AT)));
      }
      for (int i = 0; i < results.size(); i++) {
        assertThat(results.get(i).get(10, TimeUnit.SECONDS))
            .isEqualTo(new Principal("tenant-" + (i % 17), "user-" + i));
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private void assertRejected(String token, Reason reason) {
    assertRejected(token, AT, reason);
  }

  private void assertRejected(String token, Instant at, Reason reason) {
    assertThat(reasonFor(verifier, token, at)).isEqualTo(reason);
  }

  static Reason reasonFor(TokenVerifier verifier, String token, Instant at) {
    InvalidTokenException e =
        catchThrowableOfType(InvalidTokenException.class, () -> verifier.verify(token, at));
    assertThat(e).as("token should be refused").isNotNull();
    return e.reason();
  }

  @Test
  void refusesAnAbsentInstant() {
    assertThatThrownBy(() -> verifier.verify("dev-token", null))
        .isInstanceOf(NullPointerException.class);
  }
}

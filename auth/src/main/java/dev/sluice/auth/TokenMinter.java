package dev.sluice.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.sluice.config.ConfigException;
import dev.sluice.schemas.Principal;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.Objects;

/**
 * Mints HS256 tokens with the shared {@code JWT_SECRET}: for local runs (the launcher prints one),
 * tests and tools. Production callers get their tokens from the identity provider instead.
 *
 * <p>{@code scripts/make-jwt} mints the same shape of token with the JDK alone.
 */
public final class TokenMinter {
  private static final JWSHeader HEADER =
      new JWSHeader.Builder(JWSAlgorithm.HS256).type(JOSEObjectType.JWT).build();

  private final MACSigner signer;
  private final String issuer; // null: no iss claim
  private final String audience; // null: no aud claim

  private TokenMinter(MACSigner signer, String issuer, String audience) {
    this.signer = signer;
    this.issuer = issuer;
    this.audience = audience;
  }

  /** A minter for this secret, which must be at least 32 bytes. */
  public static TokenMinter hs256(byte[] secret) {
    Objects.requireNonNull(secret, "secret");
    if (secret.length < AuthSettings.MIN_SECRET_BYTES) {
      throw new ConfigException("JWT_SECRET must be at least 32 bytes (256 bits) for HS256");
    }
    try {
      return new TokenMinter(new MACSigner(secret.clone()), null, null);
    } catch (JOSEException e) {
      throw new ConfigException("JWT_SECRET must be at least 32 bytes (256 bits) for HS256");
    }
  }

  /** The same minter, adding an {@code iss} claim (for gateways that set {@code JWT_ISSUER}). */
  public TokenMinter withIssuer(String issuer) {
    return new TokenMinter(signer, Objects.requireNonNull(issuer, "issuer"), audience);
  }

  /** The same minter, adding an {@code aud} claim (for gateways that set {@code JWT_AUDIENCE}). */
  public TokenMinter withAudience(String audience) {
    return new TokenMinter(signer, issuer, Objects.requireNonNull(audience, "audience"));
  }

  /** A token for {@code tenant}, issued now and valid for {@code ttl}. */
  public String mint(String tenant, String subject, Duration ttl) {
    return mint(tenant, subject, ttl, Instant.now());
  }

  /**
   * A token for {@code tenant} issued at {@code issuedAt} and valid for {@code ttl}.
   *
   * @param subject the {@code sub} claim, or {@code null} for none
   */
  public String mint(String tenant, String subject, Duration ttl, Instant issuedAt) {
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(ttl, "ttl");
    Objects.requireNonNull(issuedAt, "issuedAt");
    // A token the verifier would refuse is no use to anyone: say so here instead.
    if (!Principal.isValidTenant(tenant)) {
      throw new IllegalArgumentException("tenant must be " + Principal.TENANT_RULE);
    }
    if (subject != null && !Principal.isValidSubject(subject)) {
      throw new IllegalArgumentException("subject must be " + Principal.SUBJECT_RULE);
    }
    if (ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("ttl must be positive");
    }
    // JWT times are whole seconds; truncate so iat never lies a fraction in the future.
    Instant iat = issuedAt.truncatedTo(ChronoUnit.SECONDS);
    JWTClaimsSet.Builder claims =
        new JWTClaimsSet.Builder()
            .claim("tenant", tenant)
            .issueTime(Date.from(iat))
            .expirationTime(Date.from(iat.plus(ttl)));
    if (subject != null) {
      claims.subject(subject);
    }
    if (issuer != null) {
      claims.issuer(issuer);
    }
    if (audience != null) {
      claims.audience(audience);
    }
    SignedJWT jwt = new SignedJWT(HEADER, claims.build());
    try {
      jwt.sign(signer);
    } catch (JOSEException e) {
      throw new IllegalStateException("HS256 signing failed", e);
    }
    return jwt.serialize();
  }

  @Override
  public String toString() {
    return "TokenMinter[HS256, secret hidden]";
  }
}

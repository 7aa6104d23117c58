package dev.sluice.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.sluice.auth.InvalidTokenException.Reason;
import dev.sluice.config.ConfigException;
import dev.sluice.schemas.Principal;
import java.security.Key;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a bearer token into the {@link Principal} it proves, or refuses it.
 *
 * <p>Accepted: HS256 tokens signed with {@code JWT_SECRET}, RS256/ES256 tokens signed by a key in
 * the identity provider's JWKS ({@code JWT_JWKS_URL}), and, only in dev mode, the fixed {@value
 * #DEV_TOKEN}. Exactly the configured algorithms are accepted: the algorithm a token names only
 * picks among them, so {@code alg: none} and key-confusion tricks fail. The token must carry a
 * {@code tenant} and an {@code exp} claim; {@code nbf} and {@code iat} are honoured; {@code iss}
 * and {@code aud} are checked when configured. The tenant and subject must be ids {@link Principal}
 * accepts: a token whose claims hold anything else (a bidi control, a zero-width character, a path)
 * proves nobody.
 *
 * <p>Thread-safe and allocation-light: one instance serves every HTTP and stream thread.
 */
public final class TokenVerifier implements AutoCloseable {
  private static final Logger LOGGER = LoggerFactory.getLogger(TokenVerifier.class);

  /** The credential dev mode accepts as tenant {@code dev}, subject {@code dev}. */
  public static final String DEV_TOKEN = "dev-token";

  /** Refused before parsing, so a huge header costs nothing to reject. */
  public static final int MAX_TOKEN_CHARS = 16 * 1024;

  private static final Principal DEV_PRINCIPAL = new Principal("dev", "dev");

  private final boolean devMode;
  private final MACVerifier hmac; // null when no JWT_SECRET is configured
  private final JwksKeys jwks; // null when no JWT_JWKS_URL is configured
  private final Duration clockSkew;
  private final String issuer; // null when not checked
  private final String audience; // null when not checked

  TokenVerifier(AuthSettings settings, JwksKeys jwks) {
    this.devMode = settings.devMode();
    this.hmac = settings.jwtSecret().map(TokenVerifier::hmacVerifier).orElse(null);
    this.jwks = jwks;
    this.clockSkew = settings.clockSkew();
    this.issuer = settings.issuer().orElse(null);
    this.audience = settings.audience().orElse(null);
  }

  /**
   * The credential of an {@code Authorization} header: what follows {@code Bearer } (any case),
   * trimmed; null when the header is missing or is not a bearer credential.
   */
  public static String bearerCredential(String authorization) {
    if (authorization == null
        || authorization.length() < 7
        || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    return authorization.substring(7).trim();
  }

  /**
   * A verifier for these settings. Keys from a JWKS URL are fetched on first use, so start-up does
   * not depend on the identity provider being up.
   */
  public static TokenVerifier create(AuthSettings settings) {
    Objects.requireNonNull(settings, "settings");
    if (settings.devMode()) {
      LOGGER
          .atWarn()
          .log(
              "DEV_MODE is on: the fixed dev token is accepted as tenant 'dev'; never in production");
    }
    settings
        .jwksUrl()
        .filter(url -> "http".equalsIgnoreCase(url.getScheme()))
        .ifPresent(
            url ->
                LOGGER
                    .atWarn()
                    .addKeyValue("jwks", AuthSettings.withoutCredentials(url))
                    .log("JWT_JWKS_URL is plain http: signing keys could be swapped in transit"));
    return new TokenVerifier(settings, settings.jwksUrl().map(JwksKeys::fetchedFrom).orElse(null));
  }

  /**
   * Verifies a token as of {@code at}.
   *
   * @param bearerToken the credential without its {@code Bearer } prefix
   * @param at the moment to judge {@code exp}, {@code nbf} and {@code iat} against: now for an HTTP
   *     request, the broker's append time for a record on a request topic
   * @return who the token proves the caller to be
   * @throws InvalidTokenException with a fixed, safe reason when the token is not acceptable
   */
  public Principal verify(String bearerToken, Instant at) throws InvalidTokenException {
    Objects.requireNonNull(at, "at");
    if (bearerToken == null || bearerToken.isBlank()) {
      throw new InvalidTokenException(Reason.MISSING);
    }
    if (bearerToken.length() > MAX_TOKEN_CHARS) {
      throw new InvalidTokenException(Reason.TOO_LONG);
    }
    if (devMode && DEV_TOKEN.equals(bearerToken)) {
      return DEV_PRINCIPAL;
    }
    SignedJWT jwt = parse(bearerToken);
    checkSignature(jwt);
    JWTClaimsSet claims = claimsOf(jwt);
    checkTimes(claims, at);
    checkIssuerAndAudience(claims);
    return principalOf(claims);
  }

  /** Stops the background refresh of JWKS keys, if any. */
  @Override
  public void close() {
    if (jwks != null) {
      jwks.close();
    }
  }

  @Override
  public String toString() {
    return "TokenVerifier[devMode="
        + devMode
        + ", hs256="
        + (hmac != null)
        + ", jwks="
        + (jwks != null)
        + "]";
  }

  private static SignedJWT parse(String token) throws InvalidTokenException {
    JWT jwt;
    try {
      jwt = JWTParser.parse(token);
    } catch (ParseException | RuntimeException e) {
      // Hostile input: whatever the parser trips over, the answer is the same refusal.
      throw new InvalidTokenException(Reason.MALFORMED);
    }
    if (jwt instanceof SignedJWT signed) {
      return signed;
    }
    if (jwt instanceof PlainJWT) {
      throw new InvalidTokenException(Reason.UNSIGNED);
    }
    // Encrypted (JWE) tokens: no decryption key is configured, so no such algorithm is accepted.
    throw new InvalidTokenException(Reason.ALGORITHM_NOT_ALLOWED);
  }

  private void checkSignature(SignedJWT jwt) throws InvalidTokenException {
    JWSHeader header = jwt.getHeader();
    JWSAlgorithm algorithm = header.getAlgorithm();
    if (hmac != null && JWSAlgorithm.HS256.equals(algorithm)) {
      if (!verifies(jwt, hmac)) {
        throw new InvalidTokenException(Reason.BAD_SIGNATURE);
      }
      return;
    }
    if (jwks != null && JwksKeys.ALGORITHMS.contains(algorithm)) {
      for (Key key : jwks.candidatesFor(header)) {
        try {
          if (verifies(jwt, jwks.verifierFor(header, key))) {
            return;
          }
        } catch (JOSEException e) {
          // This key cannot check this algorithm; another candidate may.
        }
      }
      throw new InvalidTokenException(Reason.BAD_SIGNATURE);
    }
    throw new InvalidTokenException(Reason.ALGORITHM_NOT_ALLOWED);
  }

  private static boolean verifies(SignedJWT jwt, JWSVerifier verifier) {
    try {
      return jwt.verify(verifier);
    } catch (JOSEException | RuntimeException e) {
      return false;
    }
  }

  private static JWTClaimsSet claimsOf(SignedJWT jwt) throws InvalidTokenException {
    try {
      return jwt.getJWTClaimsSet();
    } catch (ParseException | RuntimeException e) {
      throw new InvalidTokenException(Reason.MALFORMED_CLAIMS);
    }
  }

  private void checkTimes(JWTClaimsSet claims, Instant at) throws InvalidTokenException {
    Date expiry = claims.getExpirationTime();
    if (expiry == null) {
      throw new InvalidTokenException(Reason.MISSING_EXPIRY);
    }
    if (!at.isBefore(expiry.toInstant().plus(clockSkew))) {
      throw new InvalidTokenException(Reason.EXPIRED);
    }
    Date notBefore = claims.getNotBeforeTime();
    if (notBefore != null && at.plus(clockSkew).isBefore(notBefore.toInstant())) {
      throw new InvalidTokenException(Reason.NOT_YET_VALID);
    }
    Date issuedAt = claims.getIssueTime();
    if (issuedAt != null && issuedAt.toInstant().isAfter(at.plus(clockSkew))) {
      throw new InvalidTokenException(Reason.ISSUED_IN_FUTURE);
    }
  }

  private void checkIssuerAndAudience(JWTClaimsSet claims) throws InvalidTokenException {
    if (issuer != null && !issuer.equals(claims.getIssuer())) {
      throw new InvalidTokenException(Reason.WRONG_ISSUER);
    }
    if (audience != null && !claims.getAudience().contains(audience)) {
      throw new InvalidTokenException(Reason.WRONG_AUDIENCE);
    }
  }

  private static Principal principalOf(JWTClaimsSet claims) throws InvalidTokenException {
    Object tenant = claims.getClaim("tenant");
    if (tenant == null || tenant instanceof String s && s.isBlank()) {
      throw new InvalidTokenException(Reason.MISSING_TENANT);
    }
    if (!(tenant instanceof String tenantId) || !Principal.isValidTenant(tenantId)) {
      throw new InvalidTokenException(Reason.INVALID_TENANT);
    }
    String subject = claims.getSubject();
    if (subject != null && !Principal.isValidSubject(subject)) {
      throw new InvalidTokenException(Reason.INVALID_SUBJECT);
    }
    return new Principal(tenantId, subject);
  }

  private static MACVerifier hmacVerifier(byte[] secret) {
    try {
      return new MACVerifier(secret);
    } catch (JOSEException e) {
      // AuthSettings already refuses short secrets; this is the same rule, restated by nimbus.
      throw new ConfigException("JWT_SECRET must be at least 32 bytes (256 bits) for HS256");
    }
  }
}

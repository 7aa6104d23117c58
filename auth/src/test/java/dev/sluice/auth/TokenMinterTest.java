package dev.sluice.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.sluice.config.ConfigException;
import dev.sluice.schemas.Principal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TokenMinterTest {
  private static final Instant AT = Instant.parse("2030-06-01T12:00:00.750Z");

  @Test
  void mintedTokensVerify() throws Exception {
    String token =
        TokenMinter.hs256(TestTokens.SECRET).mint("acme", "alice", Duration.ofMinutes(5), AT);

    try (TokenVerifier verifier = TokenVerifier.create(TestTokens.hmacSettings(false))) {
      assertThat(verifier.verify(token, AT)).isEqualTo(new Principal("acme", "alice"));
      assertThat(TokenVerifierTest.reasonFor(verifier, token, AT.plus(Duration.ofMinutes(6))))
          .isEqualTo(InvalidTokenException.Reason.EXPIRED);
    }
    JWTClaimsSet claims = SignedJWT.parse(token).getJWTClaimsSet();
    assertThat(claims.getIssueTime().toInstant()).isEqualTo(Instant.parse("2030-06-01T12:00:00Z"));
    assertThat(claims.getExpirationTime().toInstant())
        .isEqualTo(Instant.parse("2030-06-01T12:05:00Z"));
  }

  @Test
  void addsIssuerAndAudienceWhenAsked() throws Exception {
    String token =
        TokenMinter.hs256(TestTokens.SECRET)
            .withIssuer("https://idp.example/")
            .withAudience("sluice")
            .mint("acme", null, Duration.ofMinutes(5), AT);
    AuthSettings strict =
        new AuthSettings(
            false,
            Optional.of(TestTokens.SECRET),
            Optional.empty(),
            Optional.of("https://idp.example/"),
            Optional.of("sluice"),
            AuthSettings.DEFAULT_CLOCK_SKEW);

    try (TokenVerifier verifier = TokenVerifier.create(strict)) {
      assertThat(verifier.verify(token, AT)).isEqualTo(new Principal("acme", ""));
    }
    assertThat(SignedJWT.parse(token).getJWTClaimsSet().getAudience()).isEqualTo(List.of("sluice"));
  }

  @Test
  void refusesShortSecretsAndHidesTheSecret() {
    assertThatThrownBy(() -> TokenMinter.hs256(new byte[31]))
        .isInstanceOf(ConfigException.class)
        .hasMessage("JWT_SECRET must be at least 32 bytes (256 bits) for HS256");
    assertThat(TokenMinter.hs256(TestTokens.SECRET).toString()).doesNotContain("test-secret");
  }

  @Test
  void refusesNonsenseArguments() {
    TokenMinter minter = TokenMinter.hs256(TestTokens.SECRET);

    assertThatThrownBy(() -> minter.mint(" ", "a", Duration.ofMinutes(1)))
        .isInstanceOf(IllegalArgumentException.class);
    // Tokens the verifier would refuse are not minted.
    assertThatThrownBy(() -> minter.mint("../acme", "a", Duration.ofMinutes(1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> minter.mint("acme", "a\u202eb", Duration.ofMinutes(1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> minter.mint("acme", "a", Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
  }
}

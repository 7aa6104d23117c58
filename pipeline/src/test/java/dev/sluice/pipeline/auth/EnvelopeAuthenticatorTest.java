package dev.sluice.pipeline.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.auth.TestTokens;
import dev.sluice.auth.TokenVerifier;
import dev.sluice.pipeline.Envelopes;
import dev.sluice.pipeline.stage.Refusal;
import dev.sluice.schemas.Principal;
import dev.sluice.schemas.RequestIds;
import dev.sluice.schemas.envelope.RequestEnvelope;
import dev.sluice.schemas.reply.ErrorCode;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Test;

class EnvelopeAuthenticatorTest {
  private static final Instant T0 = Instant.parse("2031-03-04T05:06:07Z");

  private final EnvelopeAuthenticator authenticator =
      new EnvelopeAuthenticator(TestTokens.verifier(false));

  @Test
  void provesThePrincipalOfAValidToken() {
    EnvelopeAuthenticator.Result result =
        authenticator.authenticate(envelope("acme", TestTokens.mint("acme", T0)), "acme", ms(T0));

    assertThat(result)
        .isEqualTo(new EnvelopeAuthenticator.Authenticated(new Principal("acme", "alice")));
  }

  @Test
  void judgesExpiryAtTheTimeTheBrokerAcceptedTheRecord() {
    String token = TestTokens.mint("acme", T0);
    RequestEnvelope envelope = envelope("acme", token);

    assertThat(authenticator.authenticate(envelope, "acme", ms(T0.plus(Duration.ofMinutes(5)))))
        .isInstanceOf(EnvelopeAuthenticator.Authenticated.class);
    EnvelopeAuthenticator.Result late =
        authenticator.authenticate(envelope, "acme", ms(T0.plus(Duration.ofMinutes(6))));
    assertRejected(late, "token expired", token);
    EnvelopeAuthenticator.Result early =
        authenticator.authenticate(envelope, "acme", ms(T0.minus(Duration.ofMinutes(1))));
    assertRejected(early, "token issued in the future", token);
  }

  @Test
  void rejectsATokenOfAnotherTenant() {
    String token = TestTokens.mint("globex", T0);
    assertRejected(
        authenticator.authenticate(envelope("acme", token), "acme", ms(T0)),
        "the envelope's tenant does not match its credential",
        token);
  }

  @Test
  void rejectsARecordFiledUnderAnotherTenantsKey() {
    String token = TestTokens.mint("acme", T0);
    assertRejected(
        authenticator.authenticate(envelope("acme", token), "globex", ms(T0)),
        "the record key must be the credential's tenant",
        token);
  }

  @Test
  void rejectsAnEnvelopeWithoutATenant() {
    String token = TestTokens.mint("acme", T0);
    assertRejected(
        authenticator.authenticate(envelope(null, token), "acme", ms(T0)),
        "the envelope's tenant does not match its credential",
        token);
  }

  @Test
  void rejectsAMissingCredential() {
    assertRejected(
        authenticator.authenticate(envelope("acme", null), "acme", ms(T0)),
        "missing credential",
        null);
    assertRejected(
        authenticator.authenticate(envelope("acme", ""), "acme", ms(T0)),
        "missing credential",
        null);
  }

  @Test
  void rejectsForgedTokens() {
    String otherKey =
        TestTokens.hs256(TestTokens.OTHER_SECRET, TestTokens.claims("acme", "alice", T0).build());
    assertRejected(
        authenticator.authenticate(envelope("acme", otherKey), "acme", ms(T0)),
        "bad signature",
        otherKey);
    String none = TestTokens.unsigned(TestTokens.claims("acme", "alice", T0).build());
    assertRejected(
        authenticator.authenticate(envelope("acme", none), "acme", ms(T0)), "unsigned token", none);
    assertRejected(
        authenticator.authenticate(envelope("dev", "dev-token"), "dev", ms(T0)),
        "malformed token",
        "dev-token");
  }

  @Test
  void acceptsTheDevTokenOnlyInDevMode() {
    EnvelopeAuthenticator dev = new EnvelopeAuthenticator(TestTokens.verifier(true));
    assertThat(dev.authenticate(envelope("dev", "dev-token"), "dev", ms(T0)))
        .isEqualTo(new EnvelopeAuthenticator.Authenticated(new Principal("dev", "dev")));
    assertThat(dev.authenticate(envelope("acme", "dev-token"), "acme", ms(T0)))
        .isInstanceOf(EnvelopeAuthenticator.Rejected.class);
  }

  @Test
  void failsClosedWith503WhenTheSigningKeysCannotBeFetched() {
    String token = TestTokens.providerToken("acme", T0);
    try (TokenVerifier unreachable = TestTokens.unreachableProviderVerifier()) {
      EnvelopeAuthenticator.Result result =
          new EnvelopeAuthenticator(unreachable)
              .authenticate(envelope("acme", token), "acme", ms(T0));

      assertThat(result).isInstanceOf(EnvelopeAuthenticator.Rejected.class);
      Refusal refusal = ((EnvelopeAuthenticator.Rejected) result).refusal();
      assertThat(refusal.stage()).isEqualTo(EnvelopeAuthenticator.STAGE);
      assertThat(refusal.code()).isEqualTo(ErrorCode.GATEWAY_UNAVAILABLE);
      assertThat(refusal.code().status()).isEqualTo(503);
      assertThat(refusal.error().message())
          .isEqualTo("token signing keys are unavailable; try again later");
      assertThat(refusal.error().reasons()).containsExactly("signing keys unavailable");
      assertThat(refusal.error().toString()).doesNotContain(token);
    }
  }

  private static void assertRejected(
      EnvelopeAuthenticator.Result result, String reason, String credential) {
    assertThat(result).isInstanceOf(EnvelopeAuthenticator.Rejected.class);
    var refusal = ((EnvelopeAuthenticator.Rejected) result).refusal();
    assertThat(refusal.stage()).isEqualTo(EnvelopeAuthenticator.STAGE);
    assertThat(refusal.code()).isEqualTo(ErrorCode.INVALID_TOKEN);
    assertThat(refusal.code().status()).isEqualTo(401);
    assertThat(refusal.error().message())
        .isEqualTo("the credential is missing, invalid or expired");
    assertThat(refusal.error().reasons()).containsExactly(reason);
    if (credential != null) {
      assertThat(refusal.error().toString()).doesNotContain(credential);
    }
  }

  private static RequestEnvelope envelope(String tenant, String credential) {
    return Envelopes.decode(
        Envelopes.envelope(RequestIds.next(), tenant, credential, "stub", "hello"));
  }

  private static long ms(Instant at) {
    return at.truncatedTo(ChronoUnit.MILLIS).toEpochMilli();
  }
}

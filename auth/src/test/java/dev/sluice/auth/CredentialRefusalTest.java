package dev.sluice.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.auth.InvalidTokenException.Reason;
import dev.sluice.schemas.reply.ErrorCode;
import dev.sluice.schemas.reply.GatewayError;
import java.util.List;
import org.junit.jupiter.api.Test;

class CredentialRefusalTest {

  @Test
  void unavailableSigningKeysAreTheGatewaysFaultAnd503() {
    CredentialRefusal refusal =
        CredentialRefusal.of(new InvalidTokenException(Reason.KEYS_UNAVAILABLE));

    assertThat(refusal.code()).isEqualTo(ErrorCode.GATEWAY_UNAVAILABLE);
    assertThat(refusal.code().status()).isEqualTo(503);
    assertThat(refusal.message()).isEqualTo("token signing keys are unavailable; try again later");
    assertThat(refusal.reasons()).containsExactly("signing keys unavailable");
    assertThat(refusal.callerAtFault()).isFalse();
  }

  @Test
  void everyOtherReasonIsTheCallersFaultAnd401() {
    for (Reason reason : Reason.values()) {
      if (reason == Reason.KEYS_UNAVAILABLE) {
        continue;
      }
      CredentialRefusal refusal = CredentialRefusal.of(new InvalidTokenException(reason));

      assertThat(refusal.code()).as(reason.name()).isEqualTo(ErrorCode.INVALID_TOKEN);
      assertThat(refusal.code().status()).isEqualTo(401);
      assertThat(refusal.message()).isEqualTo("the credential is missing, invalid or expired");
      assertThat(refusal.reasons()).containsExactly(reason.description());
      assertThat(refusal.callerAtFault()).isTrue();
    }
  }

  @Test
  void aReasonFoundBesideTheTokenIsA401WithThatReason() {
    CredentialRefusal refusal = CredentialRefusal.invalid("missing credential");

    assertThat(refusal)
        .isEqualTo(
            new CredentialRefusal(
                ErrorCode.INVALID_TOKEN,
                "the credential is missing, invalid or expired",
                List.of("missing credential")));
  }

  @Test
  void theErrorBodyCarriesCodeTypeMessageAndReasons() {
    GatewayError error = CredentialRefusal.of(new InvalidTokenException(Reason.EXPIRED)).error();

    assertThat(error.code()).isEqualTo("invalid_token");
    assertThat(error.type()).isEqualTo("authentication_error");
    assertThat(error.message()).isEqualTo("the credential is missing, invalid or expired");
    assertThat(error.param()).isNull();
    assertThat(error.reasons()).containsExactly("token expired");
  }
}

package dev.sluice.auth;

import dev.sluice.schemas.reply.ErrorCode;
import dev.sluice.schemas.reply.GatewayError;
import java.util.List;
import java.util.Objects;

/**
 * What a caller is told when its credential is refused; the ingress (answering at once) and the
 * pipeline (re-verifying every envelope) both answer with it, so a caller sees the same error from
 * either.
 *
 * @param reasons fixed, short strings (never the token or a claim value)
 */
public record CredentialRefusal(ErrorCode code, String message, List<String> reasons) {
  static final String INVALID = "the credential is missing, invalid or expired";
  static final String KEYS_UNAVAILABLE = "token signing keys are unavailable; try again later";

  public CredentialRefusal {
    Objects.requireNonNull(code, "code");
    Objects.requireNonNull(message, "message");
    reasons = List.copyOf(reasons);
  }

  /**
   * The answer to a token the verifier refused. Unfetchable signing keys fail closed with a 503,
   * since the identity provider being down is not the caller's fault; every other reason is a 401.
   */
  public static CredentialRefusal of(InvalidTokenException refused) {
    if (refused.reason() == InvalidTokenException.Reason.KEYS_UNAVAILABLE) {
      return new CredentialRefusal(
          ErrorCode.GATEWAY_UNAVAILABLE, KEYS_UNAVAILABLE, List.of(refused.getMessage()));
    }
    return invalid(refused.getMessage());
  }

  /** A 401 for a reason found beside the token's own checks (say, a tenant that does not match). */
  public static CredentialRefusal invalid(String reason) {
    return new CredentialRefusal(ErrorCode.INVALID_TOKEN, INVALID, List.of(reason));
  }

  /** Whether the caller's credential is at fault (401), so an HTTP answer carries a challenge. */
  public boolean callerAtFault() {
    return code == ErrorCode.INVALID_TOKEN;
  }

  /** The error body, in OpenAI's shape. */
  public GatewayError error() {
    return code.error(message, null, reasons);
  }
}

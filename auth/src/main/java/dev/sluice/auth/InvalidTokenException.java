package dev.sluice.auth;

import java.util.Objects;

/**
 * A bearer credential was refused. The message is one of a fixed set of short reasons, so it can
 * never carry the token or a claim value into a reply, log or metric label.
 *
 * <p>Stackless on purpose: forged tokens arrive on hot paths (HTTP threads, stream threads), and a
 * flood of them should not cost a stack walk each. The reason says all a caller needs.
 */
public final class InvalidTokenException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Why a token was refused. The descriptions are fixed strings, safe to return to a caller. */
  public enum Reason {
    MISSING("missing token"),
    TOO_LONG("token too long"),
    MALFORMED("malformed token"),
    UNSIGNED("unsigned token"),
    ALGORITHM_NOT_ALLOWED("algorithm not allowed"),
    UNKNOWN_KEY("unknown signing key"),
    KEYS_UNAVAILABLE("signing keys unavailable"),
    BAD_SIGNATURE("bad signature"),
    MALFORMED_CLAIMS("malformed claims"),
    MISSING_EXPIRY("missing exp claim"),
    EXPIRED("token expired"),
    NOT_YET_VALID("token not yet valid"),
    ISSUED_IN_FUTURE("token issued in the future"),
    WRONG_ISSUER("wrong issuer"),
    WRONG_AUDIENCE("wrong audience"),
    MISSING_TENANT("missing tenant claim"),
    INVALID_TENANT("invalid tenant claim"),
    INVALID_SUBJECT("invalid sub claim");

    private final String description;

    Reason(String description) {
      this.description = description;
    }

    public String description() {
      return description;
    }
  }

  private final Reason reason;

  public InvalidTokenException(Reason reason) {
    super(Objects.requireNonNull(reason, "reason").description(), null, false, false);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}

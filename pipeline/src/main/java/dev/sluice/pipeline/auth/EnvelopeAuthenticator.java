package dev.sluice.pipeline.auth;

import dev.sluice.auth.CredentialRefusal;
import dev.sluice.auth.InvalidTokenException;
import dev.sluice.auth.TokenVerifier;
import dev.sluice.pipeline.stage.Refusal;
import dev.sluice.schemas.Principal;
import dev.sluice.schemas.StageName;
import dev.sluice.schemas.envelope.RequestEnvelope;
import java.time.Instant;
import java.util.Objects;

/**
 * The first stage: re-verifies the credential in an envelope. Anyone who can produce to a request
 * topic can forge an envelope, so the ingress's check is not enough. Expiry is judged at the time
 * the broker accepted the record (LogAppendTime), which a producer cannot choose.
 */
public final class EnvelopeAuthenticator {
  public static final StageName STAGE = StageName.AUTHENTICATE;

  private final TokenVerifier verifier;

  public EnvelopeAuthenticator(TokenVerifier verifier) {
    this.verifier = Objects.requireNonNull(verifier, "verifier");
  }

  /** Who sent the envelope, or why it is refused. */
  public sealed interface Result permits Authenticated, Rejected {}

  public record Authenticated(Principal principal) implements Result {}

  public record Rejected(Refusal refusal) implements Result {}

  /**
   * @param recordKey the record's key: requests are partitioned by tenant, and per-tenant state
   *     (rate limits) is exact only if a producer cannot file a tenant's request under another key
   */
  public Result authenticate(RequestEnvelope envelope, String recordKey, long acceptedAtMs) {
    String credential = envelope.credential();
    if (credential == null || credential.isBlank()) {
      return reject("missing credential");
    }
    Principal principal;
    try {
      principal = verifier.verify(credential, Instant.ofEpochMilli(acceptedAtMs));
    } catch (InvalidTokenException e) {
      return new Rejected(refusal(CredentialRefusal.of(e)));
    }
    if (!principal.tenant().equals(envelope.tenant())) {
      return reject("the envelope's tenant does not match its credential");
    }
    if (!principal.tenant().equals(recordKey)) {
      return reject("the record key must be the credential's tenant");
    }
    return new Authenticated(principal);
  }

  private static Result reject(String reason) {
    return new Rejected(refusal(CredentialRefusal.invalid(reason)));
  }

  private static Refusal refusal(CredentialRefusal refused) {
    return Refusal.of(STAGE, refused.code(), refused.message(), null, refused.reasons());
  }
}

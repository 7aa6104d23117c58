package dev.sluice.ingress;

import dev.sluice.schemas.envelope.ReplyNonce;

/**
 * Whether a message read from a reply partition answers the request a caller is waiting on. The
 * request id alone does not say so: anyone who can produce to {@code llm.requests} can send an
 * envelope under a request id they have seen, and the pipeline's refusal of it lands under that id.
 * Only the caller's tenant and the nonce drawn for its request, which never left the gateway's
 * topics, tell the real answer from such a one. Streamed chunks are checked the same way.
 */
enum ReplyBinding {
  /** The caller's own answer. */
  MATCHES("matches"),
  /** Verified for another tenant: an answer to somebody else's envelope under this id. */
  OTHER_TENANT("another tenant"),
  /** No nonce, from a forger or from a pipeline older than the nonce. */
  NO_NONCE("no nonce"),
  /** Another request's nonce, or a made-up one. */
  OTHER_NONCE("another nonce");

  private final String reason;

  ReplyBinding(String reason) {
    this.reason = reason;
  }

  /** What a log line says about a message that does not match; never the nonce itself. */
  String reason() {
    return reason;
  }

  /**
   * @param tenant the waiting caller's tenant
   * @param nonce the nonce sent with the caller's request
   * @param messageTenant the message's tenant, null when the pipeline never verified one
   * @param messageNonce the message's nonce, or null
   */
  static ReplyBinding of(
      String tenant, ReplyNonce nonce, String messageTenant, ReplyNonce messageNonce) {
    if (messageTenant != null && !messageTenant.equals(tenant)) {
      return OTHER_TENANT;
    }
    if (messageNonce == null) {
      return NO_NONCE;
    }
    return nonce.matches(messageNonce) ? MATCHES : OTHER_NONCE;
  }
}

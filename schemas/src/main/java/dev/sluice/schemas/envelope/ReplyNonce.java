package dev.sluice.schemas.envelope;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Binds every message about one request to the reader that asked for it. The ingress draws a fresh
 * one per request and sends it in the envelope's {@code replyTo}; the pipeline copies it onto the
 * reply (and, later, onto each streamed chunk), and the ingress hands a message to its waiting
 * caller only when the nonce matches. A request id is not a secret (callers see it in {@code
 * x-request-id}, operators in logs), so without the nonce anyone who can produce to a request topic
 * could answer someone else's request with a refusal of their own making. Cancellations will carry
 * it the other way, so only the requester can cancel.
 *
 * <p>On the wire it is a plain string: 22 to 128 base64url characters (the gateway writes 22, the
 * encoding of {@value #BYTES} random bytes). It is never logged, audited or put in a metric; {@code
 * toString} hides it.
 */
public record ReplyNonce(@JsonValue String value) {
  /** 128 bits from {@link SecureRandom}: a guess never lands while a request is in flight. */
  public static final int BYTES = 16;

  private static final Pattern FORM = Pattern.compile("[A-Za-z0-9_-]{22,128}");
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public ReplyNonce {
    Objects.requireNonNull(value, "value");
    // A short nonce is a guessable one; refusing it here makes a weak producer fail loudly.
    if (!FORM.matcher(value).matches()) {
      throw new IllegalArgumentException("a reply nonce is 22 to 128 base64url characters");
    }
  }

  /** A fresh nonce for one request. */
  public static ReplyNonce random() {
    byte[] bytes = new byte[BYTES];
    RANDOM.nextBytes(bytes);
    return new ReplyNonce(BASE64URL.encodeToString(bytes));
  }

  /**
   * Whether {@code other} is this nonce, compared in time independent of where they differ, so a
   * reader's answer time says nothing about how close a forged nonce came.
   */
  public boolean matches(ReplyNonce other) {
    return other != null
        && MessageDigest.isEqual(
            value.getBytes(StandardCharsets.US_ASCII),
            other.value.getBytes(StandardCharsets.US_ASCII));
  }

  @Override
  public String toString() {
    return "ReplyNonce[***]";
  }
}

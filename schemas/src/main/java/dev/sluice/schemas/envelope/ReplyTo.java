package dev.sluice.schemas.envelope;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Objects;

/**
 * Where the answer to a request goes: a reply topic, the partition its reader owns, and the nonce
 * that reader will check on every message about the request.
 *
 * @param nonce the reader's {@link ReplyNonce}, or null for a producer that checks none (batch jobs
 *     written before it existed)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ReplyTo(String topic, int partition, ReplyNonce nonce) {
  public ReplyTo {
    Objects.requireNonNull(topic, "topic");
    if (partition < 0) {
      throw new IllegalArgumentException("partition must be >= 0");
    }
  }

  /** An address whose reader checks no nonce. */
  public ReplyTo(String topic, int partition) {
    this(topic, partition, null);
  }
}

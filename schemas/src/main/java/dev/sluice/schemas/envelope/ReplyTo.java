package dev.sluice.schemas.envelope;

import java.util.Objects;

/** Where the answer to a request goes: a reply topic and the partition its reader owns. */
public record ReplyTo(String topic, int partition) {
  public ReplyTo {
    Objects.requireNonNull(topic, "topic");
    if (partition < 0) {
      throw new IllegalArgumentException("partition must be >= 0");
    }
  }
}

package dev.sluice.schemas.deadletter;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Objects;

/**
 * A note on {@code llm.deadletter} about a record the pipeline could not handle: where it is and
 * why, never its payload (which may hold a credential or a prompt; it stays on its source topic for
 * that topic's retention). The same facts ride in the record's headers for tools that read only
 * headers.
 *
 * @param requestId the request's id when it could be read, else null
 * @param reason what went wrong, in the gateway's words (no input values)
 * @param sourceTopic where the record is
 * @param partition its partition, -1 when unknown
 * @param offset its offset, -1 when unknown
 * @param processor the topology node that gave up on it, when known
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DeadLetter(
    int schemaVersion,
    String requestId,
    String reason,
    String sourceTopic,
    int partition,
    long offset,
    String processor) {
  public static final int VERSION = 1;

  public DeadLetter {
    Objects.requireNonNull(reason, "reason");
    sourceTopic = sourceTopic == null ? "" : sourceTopic;
  }

  public static DeadLetter of(
      String requestId,
      String reason,
      String sourceTopic,
      int partition,
      long offset,
      String processor) {
    return new DeadLetter(VERSION, requestId, reason, sourceTopic, partition, offset, processor);
  }
}

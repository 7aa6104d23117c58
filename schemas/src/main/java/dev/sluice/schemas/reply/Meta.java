package dev.sluice.schemas.reply;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/**
 * What the gateway adds about how it answered.
 *
 * @param provider the provider that actually answered
 * @param requestId the gateway's request id
 * @param redactions counts of redacted items by type
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Meta(
    String provider,
    @JsonProperty("request_id") String requestId,
    Map<String, Integer> redactions) {

  public Meta {
    redactions = redactions == null ? null : Map.copyOf(redactions);
  }
}

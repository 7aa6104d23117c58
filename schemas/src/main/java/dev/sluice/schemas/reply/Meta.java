package dev.sluice.schemas.reply;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.sluice.schemas.envelope.RiskFlag;
import java.util.Map;

/**
 * What the gateway adds about how it answered.
 *
 * @param provider the provider that actually answered
 * @param requestId the gateway's request id
 * @param redactions counts of redacted items by type
 * @param firewall what the firewall flagged but let through (flag mode), or null
 * @param providerId the provider's own id of the completion, which the gateway's replaces, or null
 * @param providerModel the model as the provider named it in its answer (a dated snapshot, say),
 *     where the answer's {@code model} is the name the caller sent; null when not known
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Meta(
    String provider,
    @JsonProperty("request_id") String requestId,
    Map<String, Integer> redactions,
    RiskFlag firewall,
    @JsonProperty("provider_id") String providerId,
    @JsonProperty("provider_model") String providerModel) {

  public Meta {
    redactions = redactions == null ? null : Map.copyOf(redactions);
  }

  public Meta(String provider, String requestId, Map<String, Integer> redactions) {
    this(provider, requestId, redactions, null, null, null);
  }

  public Meta(
      String provider, String requestId, Map<String, Integer> redactions, RiskFlag firewall) {
    this(provider, requestId, redactions, firewall, null, null);
  }
}

package dev.sluice.schemas.reply;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Objects;

/**
 * The body of an error in OpenAI's shape, with the gateway's {@code reasons} and {@code
 * request_id}. Messages are written by the gateway and never echo input values or secrets.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record GatewayError(
    String message,
    String type,
    String code,
    String param,
    List<String> reasons,
    @JsonProperty("request_id") String requestId) {

  public GatewayError {
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(code, "code");
    reasons = reasons == null ? List.of() : List.copyOf(reasons);
  }

  public GatewayError withRequestId(String id) {
    return new GatewayError(message, type, code, param, reasons, id);
  }

  @Override
  public String toString() {
    // The message may carry a provider's own words about the request, redacted but still the
    // caller's business, not a log line's.
    return "GatewayError[type="
        + type
        + ", code="
        + code
        + ", param="
        + param
        + ", reasons="
        + reasons
        + ", requestId="
        + requestId
        + "]";
  }
}

package dev.sluice.pipeline.stage;

import dev.sluice.schemas.StageName;
import dev.sluice.schemas.reply.ErrorCode;
import dev.sluice.schemas.reply.GatewayError;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Why a stage ended a request early: the error the caller gets and the stage that decided.
 *
 * @param retryAfterSeconds set with 429
 * @param upstreamRateLimits with a provider's 429, its {@code x-ratelimit-*} figures by name
 *     without the prefix, which the caller gets as {@code x-upstream-ratelimit-*}; else empty
 */
public record Refusal(
    StageName stage,
    ErrorCode code,
    GatewayError error,
    Integer retryAfterSeconds,
    Map<String, String> upstreamRateLimits) {
  public Refusal {
    Objects.requireNonNull(stage, "stage");
    Objects.requireNonNull(code, "code");
    Objects.requireNonNull(error, "error");
    upstreamRateLimits = upstreamRateLimits == null ? Map.of() : Map.copyOf(upstreamRateLimits);
  }

  public Refusal(StageName stage, ErrorCode code, GatewayError error, Integer retryAfterSeconds) {
    this(stage, code, error, retryAfterSeconds, Map.of());
  }

  public static Refusal of(StageName stage, ErrorCode code, String message) {
    return new Refusal(stage, code, code.error(message), null);
  }

  public static Refusal of(
      StageName stage, ErrorCode code, String message, String param, List<String> reasons) {
    return new Refusal(stage, code, code.error(message, param, reasons), null);
  }
}

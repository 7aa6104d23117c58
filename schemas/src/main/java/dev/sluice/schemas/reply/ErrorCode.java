package dev.sluice.schemas.reply;

import java.util.List;

/**
 * The gateway's error table: each code with its HTTP status and OpenAI error type. Every error a
 * caller sees is made here, so status, code and type never disagree.
 */
public enum ErrorCode {
  INVALID_REQUEST(400, "invalid_request", Type.INVALID_REQUEST),
  MODEL_NOT_ALLOWED(400, "model_not_allowed", Type.INVALID_REQUEST),
  TOO_MANY_MESSAGES(400, "too_many_messages", Type.INVALID_REQUEST),
  MESSAGE_TOO_LONG(400, "message_too_long", Type.INVALID_REQUEST),
  MAX_TOKENS_TOO_LARGE(400, "max_tokens_too_large", Type.INVALID_REQUEST),
  INVALID_ROLE(400, "invalid_role", Type.INVALID_REQUEST),
  EMPTY_MESSAGES(400, "empty_messages", Type.INVALID_REQUEST),
  STREAM_UNSUPPORTED(400, "stream_unsupported", Type.INVALID_REQUEST),
  UNSUPPORTED_PARAMETER(400, "unsupported_parameter", Type.INVALID_REQUEST),
  CONTEXT_ORIGIN_NOT_ALLOWED(400, "context_origin_not_allowed", Type.INVALID_REQUEST),
  CONTEXT_INJECTION_RISK(400, "context_injection_risk", Type.INVALID_REQUEST),
  PROMPT_INJECTION_RISK(400, "prompt_injection_risk", Type.INVALID_REQUEST),
  INVALID_TOKEN(401, "invalid_token", Type.AUTHENTICATION),
  POLICY_DENIED(403, "policy_denied", Type.PERMISSION),
  NOT_FOUND(404, "not_found", Type.INVALID_REQUEST),
  METHOD_NOT_ALLOWED(405, "method_not_allowed", Type.INVALID_REQUEST),
  REQUEST_TIMEOUT(408, "request_timeout", Type.INVALID_REQUEST),
  DUPLICATE_REQUEST(409, "duplicate_request", Type.INVALID_REQUEST),
  REQUEST_TOO_LARGE(413, "request_too_large", Type.INVALID_REQUEST),
  URI_TOO_LONG(414, "uri_too_long", Type.INVALID_REQUEST),
  UNSUPPORTED_MEDIA_TYPE(415, "unsupported_media_type", Type.INVALID_REQUEST),
  INVALID_JSON(422, "invalid_json", Type.INVALID_REQUEST),
  RATE_LIMITED(429, "rate_limited", Type.RATE_LIMIT),
  HEADERS_TOO_LARGE(431, "headers_too_large", Type.INVALID_REQUEST),
  INTERNAL_ERROR(500, "internal_error", Type.SERVER),
  PROVIDER_ERROR(502, "provider_error", Type.SERVER),
  PROVIDER_AUTH_ERROR(502, "provider_auth_error", Type.SERVER),
  PROVIDER_INVALID_REQUEST(400, "provider_invalid_request", Type.INVALID_REQUEST),
  PROVIDER_NOT_FOUND(404, "provider_not_found", Type.INVALID_REQUEST),
  PROVIDER_UNPROCESSABLE(422, "provider_unprocessable", Type.INVALID_REQUEST),
  IDEMPOTENCY_KEY_REUSED(422, "idempotency_key_reused", Type.INVALID_REQUEST),
  POLICY_UNAVAILABLE(503, "policy_unavailable", Type.SERVER),
  RATE_LIMITER_UNAVAILABLE(503, "rate_limiter_unavailable", Type.SERVER),
  PROVIDER_UNAVAILABLE(503, "provider_unavailable", Type.SERVER),
  GATEWAY_UNAVAILABLE(503, "gateway_unavailable", Type.SERVER),
  GATEWAY_TIMEOUT(504, "gateway_timeout", Type.TIMEOUT),
  PROVIDER_TIMEOUT(504, "provider_timeout", Type.TIMEOUT),
  HTTP_VERSION_NOT_SUPPORTED(505, "http_version_not_supported", Type.INVALID_REQUEST);

  /** OpenAI's error {@code type} values. */
  private static final class Type {
    static final String INVALID_REQUEST = "invalid_request_error";
    static final String AUTHENTICATION = "authentication_error";
    static final String PERMISSION = "permission_error";
    static final String RATE_LIMIT = "rate_limit_error";
    static final String SERVER = "server_error";
    static final String TIMEOUT = "timeout_error";
  }

  private final int status;
  private final String code;
  private final String type;

  ErrorCode(int status, String code, String type) {
    this.status = status;
    this.code = code;
    this.type = type;
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  public String type() {
    return type;
  }

  public GatewayError error(String message) {
    return new GatewayError(message, type, code, null, List.of(), null);
  }

  public GatewayError error(String message, String param, List<String> reasons) {
    return new GatewayError(message, type, code, param, reasons, null);
  }

  /**
   * The entry for a wire code such as {@code stream_unsupported}; unknown codes are
   * invalid_request.
   */
  public static ErrorCode fromCode(String code) {
    for (ErrorCode value : values()) {
      if (value.code.equals(code)) {
        return value;
      }
    }
    return INVALID_REQUEST;
  }
}

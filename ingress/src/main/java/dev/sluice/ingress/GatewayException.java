package dev.sluice.ingress;

import dev.sluice.schemas.reply.ErrorCode;
import java.util.List;

/**
 * A request the ingress refuses before (or instead of) publishing it. The message is the gateway's
 * own and never quotes the request.
 */
final class GatewayException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final ErrorCode code;
  private final String param;
  private final List<String> reasons;

  GatewayException(ErrorCode code, String message) {
    this(code, message, null, List.of());
  }

  GatewayException(ErrorCode code, String message, String param, List<String> reasons) {
    super(message, null, false, false);
    this.code = code;
    this.param = param;
    this.reasons = List.copyOf(reasons);
  }

  ErrorCode code() {
    return code;
  }

  String param() {
    return param;
  }

  List<String> reasons() {
    return reasons;
  }
}

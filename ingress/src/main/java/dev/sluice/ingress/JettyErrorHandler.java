package dev.sluice.ingress;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.sluice.schemas.Json;
import dev.sluice.schemas.RequestIds;
import dev.sluice.schemas.reply.ErrorCode;
import dev.sluice.schemas.reply.ErrorResponse;
import java.nio.ByteBuffer;
import java.util.Map;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Answers the errors Jetty raises itself (bad framing, oversized headers or request line, an
 * unknown HTTP version, a failure while it stops) in OpenAI's error shape with a request id,
 * instead of Jetty's HTML page. The gateway's own errors never come here: {@link GatewayApp} writes
 * those.
 *
 * <p>Jetty's reason for the error is not passed on: some quote the request ("Illegal character
 * CNTL=0x1"). A status the table lacks (say 417 for an unknown {@code Expect}) keeps its number,
 * with a generic code and the status's standard phrase as the message.
 */
final class JettyErrorHandler implements Request.Handler {
  private static final Map<Integer, ErrorCode> CODES =
      Map.ofEntries(
          Map.entry(400, ErrorCode.INVALID_REQUEST),
          Map.entry(404, ErrorCode.NOT_FOUND),
          Map.entry(405, ErrorCode.METHOD_NOT_ALLOWED),
          Map.entry(408, ErrorCode.REQUEST_TIMEOUT),
          Map.entry(413, ErrorCode.REQUEST_TOO_LARGE),
          Map.entry(414, ErrorCode.URI_TOO_LONG),
          Map.entry(415, ErrorCode.UNSUPPORTED_MEDIA_TYPE),
          Map.entry(431, ErrorCode.HEADERS_TOO_LARGE),
          Map.entry(500, ErrorCode.INTERNAL_ERROR),
          Map.entry(503, ErrorCode.GATEWAY_UNAVAILABLE),
          Map.entry(505, ErrorCode.HTTP_VERSION_NOT_SUPPORTED));

  private static final Map<ErrorCode, String> MESSAGES =
      Map.ofEntries(
          Map.entry(ErrorCode.INVALID_REQUEST, "the request is not valid HTTP"),
          Map.entry(ErrorCode.NOT_FOUND, "no such route"),
          Map.entry(ErrorCode.METHOD_NOT_ALLOWED, "method not allowed"),
          Map.entry(ErrorCode.REQUEST_TIMEOUT, "the request did not arrive in time"),
          Map.entry(ErrorCode.REQUEST_TOO_LARGE, "the request is too large"),
          Map.entry(ErrorCode.URI_TOO_LONG, "the request line is too long"),
          Map.entry(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "unsupported media type"),
          Map.entry(ErrorCode.HEADERS_TOO_LARGE, "the request headers are too large"),
          Map.entry(ErrorCode.INTERNAL_ERROR, "internal error"),
          Map.entry(ErrorCode.GATEWAY_UNAVAILABLE, "the gateway cannot take requests now; retry"),
          Map.entry(ErrorCode.HTTP_VERSION_NOT_SUPPORTED, "only HTTP/1.0 and HTTP/1.1 are served"));

  private final String requestIdAttribute;

  /**
   * @param requestIdAttribute the request attribute under which {@link GatewayApp} keeps a request
   *     id it already assigned, so an error raised later still carries that id
   */
  JettyErrorHandler(String requestIdAttribute) {
    this.requestIdAttribute = requestIdAttribute;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    int status = response.getStatus();
    if (request.getAttribute(ErrorHandler.ERROR_EXCEPTION) instanceof HttpException failure) {
      status = failure.getCode();
    }
    if (status < 400 || status > 599) {
      status = HttpStatus.INTERNAL_SERVER_ERROR_500;
    }
    response.setStatus(status);
    ErrorCode code = codeFor(status);
    String message = CODES.containsKey(status) ? MESSAGES.get(code) : HttpStatus.getMessage(status);
    String requestId = requestId(request, response);
    response.getHeaders().put(GatewayApp.REQUEST_ID_HEADER, requestId);
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    if (HttpStatus.hasNoBody(status) || "HEAD".equals(request.getMethod())) {
      callback.succeeded();
      return true;
    }
    byte[] body;
    try {
      body =
          Json.mapper()
              .writeValueAsBytes(new ErrorResponse(code.error(message).withRequestId(requestId)));
    } catch (JsonProcessingException e) {
      callback.failed(e);
      return true;
    }
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
    response.write(true, ByteBuffer.wrap(body), callback);
    return true;
  }

  /**
   * The table's code for {@code status}; a status it lacks keeps its number with a generic code.
   */
  static ErrorCode codeFor(int status) {
    ErrorCode code = CODES.get(status);
    if (code != null) {
      return code;
    }
    return status >= 500 ? ErrorCode.INTERNAL_ERROR : ErrorCode.INVALID_REQUEST;
  }

  private String requestId(Request request, Response response) {
    String assigned = response.getHeaders().get(GatewayApp.REQUEST_ID_HEADER);
    if (assigned == null && request.getAttribute(requestIdAttribute) instanceof String attribute) {
      assigned = attribute;
    }
    return assigned != null ? assigned : RequestIds.next();
  }
}

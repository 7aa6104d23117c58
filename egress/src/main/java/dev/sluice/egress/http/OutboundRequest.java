package dev.sluice.egress.http;

import java.net.URI;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;

/**
 * One provider request as a dialect builds it: POSTed as is on every attempt. Headers carry the key
 * and the body carries the prompt, so {@link #toString()} shows neither.
 *
 * @param uri where to send it; checked against the egress allowlist before every attempt
 * @param headers header names to values, including the credential
 * @param body the JSON body
 */
public record OutboundRequest(URI uri, Map<String, String> headers, byte[] body) {
  public OutboundRequest {
    Objects.requireNonNull(uri, "uri");
    headers = Map.copyOf(headers);
    body = body.clone();
  }

  @Override
  public byte[] body() {
    return body.clone();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof OutboundRequest that
        && uri.equals(that.uri)
        && headers.equals(that.headers)
        && Arrays.equals(body, that.body);
  }

  @Override
  public int hashCode() {
    return Objects.hash(uri, headers, Arrays.hashCode(body));
  }

  @Override
  public String toString() {
    return "OutboundRequest[uri="
        + uri
        + ", headers="
        + headers.keySet().stream().sorted().toList()
        + ", bodyBytes="
        + body.length
        + "]";
  }
}

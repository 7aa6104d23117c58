package dev.sluice.pipeline.reply;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.sluice.auth.CredentialRefusal;
import dev.sluice.auth.InvalidTokenException;
import dev.sluice.auth.TokenVerifier;
import dev.sluice.schemas.Principal;
import dev.sluice.schemas.RequestIds;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Semaphore;

/**
 * {@code GET /replies/{requestId}} on the pipeline's health port: the reply store as the ingress
 * (and other pipeline instances) read it. The caller's own bearer credential comes along and is
 * verified here as at the ingress, so the port answers a tenant's replies only to that tenant,
 * whoever asks.
 *
 * <ul>
 *   <li>200: the reply as it went to {@code llm.replies} ({@code ReplyEnvelope} JSON);
 *   <li>202: the request is in flight; 404: no such request of this tenant;
 *   <li>401: the credential is not acceptable; 503: the tenant's partition is moving or restoring,
 *       the signing keys cannot be fetched, or {@link #MAX_CONCURRENT_LOOKUPS} lookups run already.
 * </ul>
 *
 * A lookup forwarded by another instance ({@link ReplyLookup#FORWARDED_HEADER}) names the one
 * sub-topology to search ({@code ?in=http}) and is never forwarded again.
 */
public final class ReplyEndpoint implements HttpHandler {
  /**
   * Lookups served at once: each may wait seconds on another instance, and the health port's
   * threads ({@code PipelineHealth}) outnumber these, so probes are always answered.
   */
  public static final int MAX_CONCURRENT_LOOKUPS = 8;

  private final ReplyLookup lookup;
  private final TokenVerifier verifier;
  private final Semaphore lookups = new Semaphore(MAX_CONCURRENT_LOOKUPS);

  public ReplyEndpoint(ReplyLookup lookup, TokenVerifier verifier) {
    this.lookup = lookup;
    this.verifier = verifier;
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try {
      if (!"GET".equals(exchange.getRequestMethod())) {
        status(exchange, 405, "method not allowed");
        return;
      }
      String authorization = exchange.getRequestHeaders().getFirst("Authorization");
      Principal principal;
      try {
        principal = verifier.verify(TokenVerifier.bearerCredential(authorization), Instant.now());
      } catch (InvalidTokenException e) {
        // The caller's fault is a 401; keys that cannot be fetched are the gateway's, a 503.
        CredentialRefusal refusal = CredentialRefusal.of(e);
        status(exchange, refusal.callerAtFault() ? 401 : 503, refusal.message());
        return;
      }
      String requestId = requestId(exchange);
      if (requestId == null || !RequestIds.isValid(requestId)) {
        status(exchange, 404, "unknown");
        return;
      }
      if (!lookups.tryAcquire()) {
        // Probes share this port's threads: a flood of lookups waits on none of them.
        status(exchange, 503, "too many lookups at once");
        return;
      }
      boolean forwarded = exchange.getRequestHeaders().containsKey(ReplyLookup.FORWARDED_HEADER);
      List<String> where = lookup.subTopologies();
      String only = query(exchange, "in");
      if (only != null) {
        if (!where.contains(only)) {
          status(exchange, 404, "unknown");
          return;
        }
        where = List.of(only);
      }
      ReplyLookup.Found found;
      try {
        found = lookup.find(principal.tenant(), requestId, where, authorization, forwarded);
      } finally {
        lookups.release();
      }
      if (found instanceof ReplyLookup.Kept kept) {
        send(exchange, 200, kept.reply());
      } else if (found instanceof ReplyLookup.InFlight) {
        status(exchange, 202, "in_flight");
      } else if (found instanceof ReplyLookup.Unavailable unavailable) {
        status(exchange, 503, unavailable.why());
      } else {
        status(exchange, 404, "unknown");
      }
    } finally {
      exchange.close();
    }
  }

  /** The id in the path, decoded; null when its escapes are malformed. */
  private static String requestId(HttpExchange exchange) {
    try {
      return URLDecoder.decode(
          exchange.getRequestURI().getRawPath().substring(ReplyLookup.PATH.length()),
          StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static String query(HttpExchange exchange, String name) {
    String raw = exchange.getRequestURI().getRawQuery();
    if (raw == null) {
      return null;
    }
    for (String pair : raw.split("&")) {
      if (pair.startsWith(name + "=")) {
        // Raw: the only values that match are the sub-topologies' plain names.
        return pair.substring(name.length() + 1);
      }
    }
    return null;
  }

  /** A short JSON status: {@code {"status": "..."}}; the text is fixed, never the caller's. */
  private static void status(HttpExchange exchange, int code, String status) throws IOException {
    String escaped = status.replace("\\", "\\\\").replace("\"", "\\\"");
    send(exchange, code, ("{\"status\":\"" + escaped + "\"}").getBytes(StandardCharsets.UTF_8));
  }

  private static void send(HttpExchange exchange, int code, byte[] body) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(code, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }
}

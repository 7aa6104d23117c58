package dev.sluice.egress.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.egress.ProviderAnswer;
import dev.sluice.egress.ProviderCall;
import java.util.List;

/**
 * A provider's wire format: what {@link ResilientHttp} needs to know about one API. All three are
 * pure functions of their input, so each is tested without a server.
 */
public interface Dialect {

  /**
   * The request for a call, the same on every attempt.
   *
   * @throws dev.sluice.egress.ProviderException when the call cannot be expressed in this format;
   *     the provider is then not called
   */
  OutboundRequest request(ProviderCall call);

  /**
   * The answer in a 2xx body.
   *
   * @throws dev.sluice.egress.ProviderException when the body is not a valid answer
   */
  ProviderAnswer answer(ProviderCall call, String body);

  /**
   * Candidate tokens naming an error (such as {@code error.code}, {@code error.type}), best first.
   * The engine keeps the first that looks like a token and drops the provider's message, which may
   * quote the prompt or the key.
   */
  List<String> errorTokens(JsonNode errorBody);
}

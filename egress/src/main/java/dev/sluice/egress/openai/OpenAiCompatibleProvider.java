package dev.sluice.egress.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.egress.EgressAllowlist;
import dev.sluice.egress.ProviderAnswer;
import dev.sluice.egress.ProviderCall;
import dev.sluice.egress.http.BaseUrl;
import dev.sluice.egress.http.Dialect;
import dev.sluice.egress.http.HttpProvider;
import dev.sluice.egress.http.OutboundRequest;
import dev.sluice.egress.http.ResilientHttp;
import dev.sluice.schemas.RequestIds;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;

/**
 * OpenAI chat completions ({@code POST {baseUrl}/chat/completions}), for OpenAI itself and any
 * compatible server, sent through {@link ResilientHttp}. The gateway's request id goes out as
 * {@code X-Client-Request-Id}, which OpenAI records against the request for support look-ups.
 */
public final class OpenAiCompatibleProvider extends HttpProvider {
  static final String CLIENT_REQUEST_ID = "X-Client-Request-Id";

  private final OpenAiSettings settings;

  /**
   * Calls may go to the base URL's host only; {@code EGRESS_ALLOWED_HOSTS} is not read here. {@link
   * dev.sluice.egress.ConfiguredProviders} builds the provider with the configured allowlist.
   */
  public OpenAiCompatibleProvider(
      OpenAiSettings settings, Executor executor, ScheduledExecutorService scheduler) {
    this(settings, EgressAllowlist.of(List.of(settings.baseUrl().getHost())), executor, scheduler);
  }

  /**
   * @throws dev.sluice.config.ConfigException when the allowlist does not allow the base URL
   */
  public OpenAiCompatibleProvider(
      OpenAiSettings settings,
      EgressAllowlist allowlist,
      Executor executor,
      ScheduledExecutorService scheduler) {
    super(
        settings.name(),
        settings.baseUrl(),
        "OPENAI_BASE_URL",
        settings.retries(),
        allowlist,
        executor,
        scheduler,
        new Format(settings));
    this.settings = settings;
  }

  @Override
  public String toString() {
    return "OpenAiCompatibleProvider[" + settings + "]";
  }

  /** Bearer key, model in the body. */
  static final class Format implements Dialect {
    private final OpenAiSettings settings;
    private final URI endpoint;

    Format(OpenAiSettings settings) {
      this.settings = settings;
      this.endpoint = BaseUrl.join(settings.baseUrl(), "/chat/completions");
    }

    @Override
    public OutboundRequest request(ProviderCall call) {
      Map<String, String> headers = new LinkedHashMap<>();
      headers.put("Authorization", "Bearer " + settings.apiKey());
      headers.put("Content-Type", "application/json");
      headers.put("Accept", "application/json");
      if (RequestIds.isValid(call.requestId())) {
        headers.put(CLIENT_REQUEST_ID, call.requestId());
      }
      return new OutboundRequest(endpoint, headers, OpenAiChat.body(call, true));
    }

    @Override
    public ProviderAnswer answer(ProviderCall call, String body) {
      return OpenAiChat.answer(settings.name(), call, body);
    }

    @Override
    public List<String> errorTokens(JsonNode errorBody) {
      return OpenAiChat.errorTokens(errorBody);
    }

    @Override
    public String toString() {
      return "OpenAiCompatibleProvider.Format[" + endpoint + "]";
    }
  }
}

package dev.sluice.egress.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.egress.EgressAllowlist;
import dev.sluice.egress.ProviderAnswer;
import dev.sluice.egress.ProviderCall;
import dev.sluice.egress.http.BaseUrl;
import dev.sluice.egress.http.Dialect;
import dev.sluice.egress.http.HttpProvider;
import dev.sluice.egress.http.OutboundRequest;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Anthropic's Messages API ({@code POST {baseUrl}/v1/messages}), translated from and to the OpenAI
 * shape by {@link AnthropicMessages}. Anthropic documents no header for a client's request id, so
 * none is sent.
 */
public final class AnthropicProvider extends HttpProvider {
  private final AnthropicSettings settings;

  /**
   * @throws dev.sluice.config.ConfigException when the allowlist does not allow the base URL
   */
  public AnthropicProvider(
      AnthropicSettings settings,
      EgressAllowlist allowlist,
      Executor executor,
      ScheduledExecutorService scheduler) {
    super(
        AnthropicSettings.NAME,
        settings.baseUrl(),
        "ANTHROPIC_BASE_URL",
        settings.retries(),
        allowlist,
        executor,
        scheduler,
        new Format(settings));
    this.settings = settings;
  }

  @Override
  public String toString() {
    return "AnthropicProvider[" + settings + "]";
  }

  /** {@code x-api-key} and {@code anthropic-version} headers, the Messages body. */
  static final class Format implements Dialect {
    private final AnthropicSettings settings;
    private final URI endpoint;

    Format(AnthropicSettings settings) {
      this.settings = settings;
      this.endpoint = BaseUrl.join(settings.baseUrl(), "/v1/messages");
    }

    @Override
    public OutboundRequest request(ProviderCall call) {
      Map<String, String> headers = new LinkedHashMap<>();
      headers.put("x-api-key", settings.apiKey());
      headers.put("anthropic-version", settings.version());
      headers.put("content-type", "application/json");
      headers.put("accept", "application/json");
      return new OutboundRequest(
          endpoint, headers, AnthropicMessages.body(call, settings.defaultMaxTokens()));
    }

    @Override
    public ProviderAnswer answer(ProviderCall call, String body) {
      return AnthropicMessages.answer(call, body);
    }

    @Override
    public List<String> errorTokens(JsonNode errorBody) {
      return AnthropicMessages.errorTokens(errorBody);
    }

    @Override
    public String toString() {
      return "AnthropicProvider.Format[" + endpoint + "]";
    }
  }
}

package dev.sluice.egress.azure;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.egress.EgressAllowlist;
import dev.sluice.egress.ProviderAnswer;
import dev.sluice.egress.ProviderCall;
import dev.sluice.egress.ProviderException;
import dev.sluice.egress.ProviderException.Kind;
import dev.sluice.egress.http.BaseUrl;
import dev.sluice.egress.http.Dialect;
import dev.sluice.egress.http.HttpProvider;
import dev.sluice.egress.http.OutboundRequest;
import dev.sluice.egress.openai.OpenAiChat;
import dev.sluice.schemas.RequestIds;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.regex.Pattern;

/**
 * Azure OpenAI chat completions: {@code azure:<deployment>} goes to {@code POST
 * {endpoint}/openai/deployments/<deployment>/chat/completions?api-version=…} with the key in {@code
 * api-key}, in the OpenAI body and answer format. The gateway's request id goes out as {@code
 * x-ms-client-request-id}, which Azure logs and echoes.
 */
public final class AzureOpenAiProvider extends HttpProvider {
  static final String CLIENT_REQUEST_ID = "x-ms-client-request-id";

  /**
   * What Azure allows in a deployment name. Checked before the name enters the path, and a name of
   * dots only is refused, so a model name can never change the path.
   */
  private static final Pattern DEPLOYMENT = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  private final AzureOpenAiSettings settings;

  /**
   * @throws dev.sluice.config.ConfigException when the allowlist does not allow the endpoint
   */
  public AzureOpenAiProvider(
      AzureOpenAiSettings settings,
      EgressAllowlist allowlist,
      Executor executor,
      ScheduledExecutorService scheduler) {
    super(
        AzureOpenAiSettings.NAME,
        settings.endpoint(),
        "AZURE_OPENAI_ENDPOINT",
        settings.retries(),
        allowlist,
        executor,
        scheduler,
        new Format(settings));
    this.settings = settings;
  }

  static boolean isDeploymentName(String name) {
    return DEPLOYMENT.matcher(name).matches() && !name.chars().allMatch(c -> c == '.');
  }

  @Override
  public String toString() {
    return "AzureOpenAiProvider[" + settings + "]";
  }

  /** {@code api-key} header, deployment in the path, no model in the body. */
  static final class Format implements Dialect {
    private final AzureOpenAiSettings settings;

    Format(AzureOpenAiSettings settings) {
      this.settings = settings;
    }

    @Override
    public OutboundRequest request(ProviderCall call) {
      if (!isDeploymentName(call.model())) {
        throw new ProviderException(
            Kind.UNKNOWN_MODEL, "no Azure deployment can have the requested name");
      }
      Map<String, String> headers = new LinkedHashMap<>();
      headers.put("api-key", settings.apiKey());
      headers.put("Content-Type", "application/json");
      headers.put("Accept", "application/json");
      if (RequestIds.isValid(call.requestId())) {
        headers.put(CLIENT_REQUEST_ID, call.requestId());
      }
      return new OutboundRequest(
          BaseUrl.join(
              settings.endpoint(),
              "/openai/deployments/"
                  + call.model()
                  + "/chat/completions?api-version="
                  + settings.apiVersion()),
          headers,
          OpenAiChat.body(call, false));
    }

    @Override
    public ProviderAnswer answer(ProviderCall call, String body) {
      return OpenAiChat.answer(AzureOpenAiSettings.NAME, call, body);
    }

    @Override
    public List<String> errorTokens(JsonNode errorBody) {
      return OpenAiChat.errorTokens(errorBody);
    }

    @Override
    public String toString() {
      return "AzureOpenAiProvider.Format[" + settings.endpoint() + "]";
    }
  }
}

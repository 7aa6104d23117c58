package dev.sluice.egress.http;

import dev.sluice.egress.EgressAllowlist;
import dev.sluice.egress.Provider;
import dev.sluice.egress.ProviderAnswer;
import dev.sluice.egress.ProviderCall;
import java.net.URI;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;

/**
 * A provider reached over HTTP: its base URL checked against the egress allowlist at start, one
 * pooled client, and {@link ResilientHttp} speaking the provider's {@link Dialect}. Adapters add
 * only their settings and dialect.
 */
public abstract class HttpProvider implements Provider {
  private final String name;
  private final ResilientHttp http;

  /**
   * @param urlVariable the variable the base URL came from, named when the allowlist refuses it
   * @throws dev.sluice.config.ConfigException when the allowlist does not allow the base URL
   */
  protected HttpProvider(
      String name,
      URI baseUrl,
      String urlVariable,
      RetryPolicy retries,
      EgressAllowlist allowlist,
      Executor executor,
      ScheduledExecutorService scheduler,
      Dialect dialect) {
    this.name = Objects.requireNonNull(name, "name");
    allowlist.requireAllowed(baseUrl, urlVariable);
    this.http =
        new ResilientHttp(
            name,
            ResilientHttp.client(executor, retries.attemptTimeout()),
            scheduler,
            retries,
            allowlist,
            dialect);
  }

  @Override
  public final String name() {
    return name;
  }

  @Override
  public final CompletionStage<ProviderAnswer> complete(ProviderCall call) {
    return http.send(call);
  }
}

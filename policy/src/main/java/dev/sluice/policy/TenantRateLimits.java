package dev.sluice.policy;

import dev.sluice.schemas.envelope.Source;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A tenant's {@code rate_limits} sections as its bundle files give them, {@code default.yaml}'s
 * first, then the tenant's own file, kept apart so that the order of precedence can be applied per
 * request ({@link #forRequest}).
 *
 * <p>For a request to model {@code m}, starting from the gateway's defaults (the {@code
 * RATE_LIMIT_*} variables), field by field: {@code default.yaml}'s section, then its {@code
 * models[m]}; then the tenant file's section, then its {@code models[m]}; for batch traffic finally
 * the {@code batch} share (the tenant's over the defaults'). So within a file the more specific
 * entry wins, and a tenant's file wins over {@code default.yaml}: a tenant that sets {@code
 * tokens_per_minute} gets it on every model, unless its own file names the model.
 *
 * @param sections in order of precedence, lowest first
 */
public record TenantRateLimits(List<Section> sections) {

  /** No section: the gateway's defaults alone. */
  public static final TenantRateLimits NONE = new TenantRateLimits(List.of());

  /**
   * One file's {@code rate_limits}.
   *
   * @param limits the section's own values, for every model
   * @param models per resolved model name ({@code provider:model}), over {@code limits}
   * @param batch the share batch-sourced traffic gets: with the state store, batch and interactive
   *     requests of a tenant run in separate tasks and so are limited separately; one limit across
   *     both needs Redis
   */
  public record Section(RateLimits limits, Map<String, RateLimits> models, RateLimits batch) {
    public static final Section NONE = new Section(RateLimits.NONE, Map.of(), RateLimits.NONE);

    public Section {
      Objects.requireNonNull(limits, "limits");
      Objects.requireNonNull(batch, "batch");
      models = Map.copyOf(models);
    }
  }

  public TenantRateLimits {
    sections = List.copyOf(sections);
  }

  /** The limits for an interactive request to a resolved model. */
  public RateLimits forModel(String model, RateLimits gatewayDefaults) {
    Objects.requireNonNull(model, "model");
    RateLimits limits = gatewayDefaults;
    for (Section section : sections) {
      limits = section.limits().over(limits);
      limits = section.models().getOrDefault(model, RateLimits.NONE).over(limits);
    }
    return limits;
  }

  /**
   * The limits for a batch-sourced request to a resolved model: the batch share over {@link
   * #forModel}.
   */
  public RateLimits forBatch(String model, RateLimits gatewayDefaults) {
    RateLimits batch = RateLimits.NONE;
    for (Section section : sections) {
      batch = section.batch().over(batch);
    }
    return batch.over(forModel(model, gatewayDefaults));
  }

  /** {@link #forBatch} for batch-sourced requests, {@link #forModel} for the others. */
  public RateLimits forRequest(String model, Source source, RateLimits gatewayDefaults) {
    return source == Source.BATCH
        ? forBatch(model, gatewayDefaults)
        : forModel(model, gatewayDefaults);
  }
}

package dev.sluice.policy;

import dev.sluice.schemas.envelope.Source;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A tenant's {@code rate_limits} sections as its bundle files give them, {@code default.yaml}'s
 * first, then the tenant's own file, kept apart so that the order of precedence can be applied per
 * request ({@link #forRequest}).
 *
 * <p>What the rate-limit stage enforces is {@link #ledgers}: the tenant's own limits, and those of
 * a named model and of the batch share as ledgers of their own that a request must fit as well.
 * {@link #forModel} and {@link #forBatch} merge them into one set, field by field, for OPA's input
 * (what applies to the request, most specific first): starting from the gateway's defaults (the
 * {@code RATE_LIMIT_*} variables), {@code default.yaml}'s section, then its {@code models[m]}; then
 * the tenant file's section, then its {@code models[m]}; for batch traffic finally the {@code
 * batch} share.
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

  /**
   * The ledgers a request is counted in, each with its limits, as the rate-limit stage enforces
   * them: the tenant's own (the sections' values over the gateway's defaults, for every model and
   * source); the tenant and model's when some section names the model (its {@code models[m]}
   * entries alone, so a model's limits narrow the tenant's and never lift them); for batch traffic
   * the batch share's (its {@code batch} entries alone). A request must fit every one. A scope
   * whose limits are all unset is left out, except the tenant's own, which is always first.
   */
  public List<ScopedLimits> ledgers(String model, Source source, RateLimits gatewayDefaults) {
    Objects.requireNonNull(model, "model");
    RateLimits tenant = gatewayDefaults;
    RateLimits ofModel = RateLimits.NONE;
    RateLimits batch = RateLimits.NONE;
    for (Section section : sections) {
      tenant = section.limits().over(tenant);
      ofModel = section.models().getOrDefault(model, RateLimits.NONE).over(ofModel);
      batch = section.batch().over(batch);
    }
    List<ScopedLimits> ledgers = new ArrayList<>(3);
    ledgers.add(new ScopedLimits(ScopedLimits.TENANT, tenant));
    if (!ofModel.unlimited()) {
      ledgers.add(new ScopedLimits(ScopedLimits.MODEL + model, ofModel));
    }
    if (source == Source.BATCH && !batch.unlimited()) {
      ledgers.add(new ScopedLimits(ScopedLimits.BATCH, batch));
    }
    return ledgers;
  }

  /**
   * One ledger's limits.
   *
   * @param scope {@link #TENANT} (empty), {@link #MODEL} followed by the resolved model, or {@link
   *     #BATCH}
   */
  public record ScopedLimits(String scope, RateLimits limits) {
    public static final String TENANT = "";
    public static final String MODEL = "model:";
    public static final String BATCH = "batch";

    public ScopedLimits {
      Objects.requireNonNull(scope, "scope");
      Objects.requireNonNull(limits, "limits");
    }
  }

  /** {@link #forBatch} for batch-sourced requests, {@link #forModel} for the others. */
  public RateLimits forRequest(String model, Source source, RateLimits gatewayDefaults) {
    return source == Source.BATCH
        ? forBatch(model, gatewayDefaults)
        : forModel(model, gatewayDefaults);
  }
}

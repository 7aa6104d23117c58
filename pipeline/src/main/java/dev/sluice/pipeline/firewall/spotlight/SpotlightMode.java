package dev.sluice.pipeline.firewall.spotlight;

import dev.sluice.policy.TenantPolicy;
import java.util.Locale;

/**
 * How retrieved context is marked for the model (spotlighting, Hines et al., 2024), per tenant: the
 * policy bundle's {@code firewall.spotlight}, checked when the bundle is loaded.
 */
public enum SpotlightMode {
  /** Each document between random boundary markers that the system message describes. */
  DELIMIT,
  /**
   * Delimited, and a marker character interleaved between the words of each document, so that
   * document text is recognisable everywhere, not only at its edges. Never used for requests with
   * tools (they get {@link #DELIMIT}): the model copies document values into tool arguments, and
   * they would arrive marked.
   */
  DATAMARK,
  /** The documents without markers or instruction: the paper's baseline. */
  OFF;

  /** The tenant's mode; {@link #DELIMIT} when its bundle does not say. */
  public static SpotlightMode of(TenantPolicy policy) {
    String mode = policy.spotlightMode();
    // The bundle refused any other name at start, so valueOf cannot fail here.
    return mode == null ? DELIMIT : valueOf(mode.toUpperCase(Locale.ROOT));
  }

  /** The mode a request gets: datamarking is never used when the model may call tools. */
  public SpotlightMode forRequest(boolean hasTools) {
    return this == DATAMARK && hasTools ? DELIMIT : this;
  }

  /** The name in policy files. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}

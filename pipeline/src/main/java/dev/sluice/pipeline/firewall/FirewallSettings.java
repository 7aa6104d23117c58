package dev.sluice.pipeline.firewall;

import dev.sluice.config.ConfigException;
import dev.sluice.config.Env;
import dev.sluice.pipeline.firewall.risk.Sensitivity;
import dev.sluice.policy.TenantPolicy;
import java.util.Locale;

/**
 * How the firewall treats a tenant's requests.
 *
 * @param contextMode for retrieved context chunks ({@code CONTEXT_FIREWALL_MODE}, default block)
 * @param promptMode for the caller's own messages ({@code PROMPT_FIREWALL_MODE}, default flag)
 * @param sensitivity 1 to 10, higher is stricter ({@code CONTEXT_FIREWALL_RISK_THRESHOLD}, 5)
 * @param stripHiddenText whether invisible carriers of text are removed from what the provider is
 *     sent ({@code STRIP_HIDDEN_TEXT}, default true); they are flagged either way
 */
public record FirewallSettings(
    Mode contextMode, Mode promptMode, int sensitivity, boolean stripHiddenText) {

  /** What to do with a risky text. */
  public enum Mode {
    /** Refuse the request. */
    BLOCK,
    /** Let it through, recording the risk in the audit log and {@code meta.firewall}. */
    FLAG,
    /** Do not score. */
    OFF;

    static Mode parse(String where, String value) {
      try {
        return Mode.valueOf(value.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new ConfigException(where + " must be block, flag or off");
      }
    }
  }

  public FirewallSettings {
    if (sensitivity < Sensitivity.MIN_LEVEL || sensitivity > Sensitivity.MAX_LEVEL) {
      throw new ConfigException("CONTEXT_FIREWALL_RISK_THRESHOLD must be from 1 to 10");
    }
  }

  /** Settings that strip hidden text, as the gateway does unless told otherwise. */
  public FirewallSettings(Mode contextMode, Mode promptMode, int sensitivity) {
    this(contextMode, promptMode, sensitivity, true);
  }

  public static FirewallSettings from(Env env) {
    return new FirewallSettings(
        Mode.parse("CONTEXT_FIREWALL_MODE", env.get("CONTEXT_FIREWALL_MODE", "block")),
        Mode.parse("PROMPT_FIREWALL_MODE", env.get("PROMPT_FIREWALL_MODE", "flag")),
        env.getInt("CONTEXT_FIREWALL_RISK_THRESHOLD", Sensitivity.DEFAULT_LEVEL),
        env.getBoolean("STRIP_HIDDEN_TEXT", true));
  }

  /** A tenant's settings: its policy over these defaults. */
  public FirewallSettings forTenant(TenantPolicy policy) {
    return new FirewallSettings(
        policy.contextFirewallMode() == null
            ? contextMode
            : Mode.parse("firewall.context_mode", policy.contextFirewallMode()),
        policy.promptFirewallMode() == null
            ? promptMode
            : Mode.parse("firewall.prompt_mode", policy.promptFirewallMode()),
        policy.firewallSensitivity() == null ? sensitivity : policy.firewallSensitivity(),
        policy.stripHiddenText() == null ? stripHiddenText : policy.stripHiddenText());
  }
}

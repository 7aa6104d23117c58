package dev.sluice.policy;

import java.util.Objects;

/** Whether a tenant may use the model a request names, after its aliases. */
public sealed interface ModelDecision permits ModelDecision.Allowed, ModelDecision.Refused {

  /** The name the request gave. */
  String requested();

  /** That name after the tenant's aliases: what is checked, and what is called when allowed. */
  String model();

  /** Who keeps a model from a tenant. */
  enum RefusedBy {
    /** The model is not enabled on this gateway ({@code ALLOWED_MODELS}). */
    GATEWAY,
    /** The gateway enables it, but the tenant's policy ({@code models.allowed}) does not. */
    TENANT_POLICY
  }

  record Allowed(String requested, String model) implements ModelDecision {
    public Allowed {
      Objects.requireNonNull(requested, "requested");
      Objects.requireNonNull(model, "model");
    }
  }

  record Refused(String requested, String model, RefusedBy by) implements ModelDecision {
    public Refused {
      Objects.requireNonNull(requested, "requested");
      Objects.requireNonNull(model, "model");
      Objects.requireNonNull(by, "by");
    }
  }
}

package dev.sluice.policy;

import java.util.Objects;

/**
 * One entry of a tenant's model list ({@code GET /v1/models}).
 *
 * @param id the name a caller may send: a model or an alias
 * @param model what {@code id} resolves to
 * @param ownedBy the provider serving it: the part of the resolved name before {@code :}, or {@code
 *     sluice} for a built-in model such as {@code stub}
 */
public record ListedModel(String id, String model, String ownedBy) {
  public ListedModel {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(ownedBy, "ownedBy");
  }
}

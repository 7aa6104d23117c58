package dev.sluice.ingress;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.sluice.policy.ListedModel;
import dev.sluice.policy.ModelAccess;
import java.util.List;
import java.util.Objects;

/**
 * The body of {@code GET /v1/models}, in OpenAI's shape: the names the caller's tenant may send, as
 * {@link ModelAccess} lists them (the ingress asks, never works it out itself).
 */
public record ModelList(String object, List<Entry> data) {

  /** One model a caller may name; {@code created} is unknown to the gateway, so 0. */
  public record Entry(
      String id, String object, long created, @JsonProperty("owned_by") String ownedBy) {}

  public ModelList {
    Objects.requireNonNull(object, "object");
    data = List.copyOf(data);
  }

  public static ModelList of(ModelAccess models, String tenant) {
    return new ModelList("list", models.listed(tenant).stream().map(ModelList::entry).toList());
  }

  /** The names listed, in order. */
  public List<String> ids() {
    return data.stream().map(Entry::id).toList();
  }

  private static Entry entry(ListedModel model) {
    return new Entry(model.id(), "model", 0, model.ownedBy());
  }
}

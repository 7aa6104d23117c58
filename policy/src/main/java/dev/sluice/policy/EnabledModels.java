package dev.sluice.policy;

import dev.sluice.config.ConfigException;
import dev.sluice.config.Env;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The models enabled on this gateway ({@code ALLOWED_MODELS}, a comma list, default {@code stub}):
 * the most any tenant may use. A tenant's policy may narrow them ({@code models.allowed}), never
 * widen them. Names are resolved names: {@code provider:model}, or a bare provider name such as
 * {@code stub}.
 */
public record EnabledModels(Set<String> models) {
  public static final String DEFAULT = "stub";
  // A provider name, then anything without spaces: OpenAI fine-tunes hold colons themselves.
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]+(:\\S+)?");

  public EnabledModels {
    models = Set.copyOf(models);
    if (models.isEmpty()) {
      throw new ConfigException("ALLOWED_MODELS must name at least one model");
    }
    for (String model : models) {
      if (!NAME.matcher(model).matches()) {
        throw new ConfigException(
            "ALLOWED_MODELS must be a comma list of model names such as stub,openai:gpt-4o-mini");
      }
    }
  }

  public static EnabledModels from(Env env) {
    return new EnabledModels(
        Set.copyOf(
            Arrays.stream(env.get("ALLOWED_MODELS", DEFAULT).split(","))
                .map(String::trim)
                .filter(model -> !model.isEmpty())
                .toList()));
  }

  public boolean contains(String model) {
    return models.contains(model);
  }

  /**
   * The enabled models by their bare name, the part after the provider ({@code gpt-4o-mini} for
   * {@code openai:gpt-4o-mini}), as the official SDKs' examples name them; each bare name maps to
   * every model that has it, sorted.
   */
  public Map<String, List<String>> byBareName() {
    Map<String, List<String>> byBare = new TreeMap<>();
    for (String model : new TreeSet<>(models)) {
      int colon = model.indexOf(':');
      if (colon > 0) {
        byBare.computeIfAbsent(model.substring(colon + 1), bare -> new ArrayList<>()).add(model);
      }
    }
    byBare.replaceAll((bare, served) -> List.copyOf(served));
    return byBare;
  }
}

package dev.sluice.policy;

import dev.sluice.config.ConfigException;
import dev.sluice.config.Env;
import java.util.Arrays;
import java.util.Set;
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
}

package dev.sluice.pipeline.provider;

import dev.sluice.policy.ModelAccess;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which of the enabled models each configured provider serves, said once at start-up. An enabled
 * model whose provider is not configured (its key unset) can never answer; that is the first thing
 * an operator enabling a model needs to see, and the caller only ever sees a 400.
 *
 * @param byProvider every configured provider, by name, and the enabled models it serves (maybe
 *     none)
 * @param unserved enabled models no configured provider serves
 */
public record ServedModels(Map<String, List<String>> byProvider, List<String> unserved) {
  private static final Logger LOGGER = LoggerFactory.getLogger(ServedModels.class);

  public ServedModels {
    Map<String, List<String>> copied = new TreeMap<>();
    byProvider.forEach((provider, models) -> copied.put(provider, List.copyOf(models)));
    byProvider = Collections.unmodifiableMap(copied);
    unserved = List.copyOf(unserved);
  }

  /**
   * @param providers the names of the configured providers
   */
  public static ServedModels of(ModelAccess models, Collection<String> providers) {
    Map<String, List<String>> enabled = models.modelsByProvider();
    Map<String, List<String>> byProvider = new TreeMap<>();
    for (String provider : providers) {
      byProvider.put(provider, enabled.getOrDefault(provider, List.of()));
    }
    List<String> unserved = new ArrayList<>();
    enabled.forEach(
        (provider, served) -> {
          if (!byProvider.containsKey(provider)) {
            unserved.addAll(served);
          }
        });
    return new ServedModels(byProvider, unserved);
  }

  public void log() {
    byProvider.forEach(
        (provider, models) ->
            LOGGER
                .atInfo()
                .addKeyValue("provider", provider)
                .addKeyValue("models", models)
                .log(
                    models.isEmpty()
                        ? "provider serves no enabled model (ALLOWED_MODELS)"
                        : "provider serves models"));
    if (!unserved.isEmpty()) {
      LOGGER
          .atWarn()
          .addKeyValue("models", unserved)
          .log(
              "enabled models no configured provider serves (set the provider's key);"
                  + " requests for them get 400 model_not_allowed");
    }
  }
}

package dev.sluice.pipeline.provider;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.policy.EnabledModels;
import dev.sluice.policy.ModelAccess;
import dev.sluice.policy.PolicyBundle;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ServedModelsTest {

  @Test
  void saysWhichEnabledModelsEachConfiguredProviderServesAndWhichNoneDoes() {
    ModelAccess models =
        new ModelAccess(
            new EnabledModels(
                Set.of("stub", "openai:gpt-4o-mini", "openai:gpt-4o", "anthropic:claude")),
            PolicyBundle.empty());

    ServedModels served = ServedModels.of(models, List.of("stub", "openai", "azure"));

    assertThat(served.byProvider())
        .isEqualTo(
            Map.of(
                "azure", List.of(),
                "openai", List.of("openai:gpt-4o", "openai:gpt-4o-mini"),
                "stub", List.of("stub")));
    assertThat(served.unserved()).containsExactly("anthropic:claude");
    served.log();
  }
}

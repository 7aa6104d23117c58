package dev.sluice.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.config.ConfigException;
import dev.sluice.config.Env;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EnabledModelsTest {

  @Test
  void enablesTheStubByDefault() {
    assertThat(EnabledModels.from(Env.of(Map.of())).models()).containsExactly("stub");
  }

  @Test
  void readsATrimmedCommaList() {
    assertThat(
            EnabledModels.from(
                    Env.of(
                        Map.of(
                            "ALLOWED_MODELS",
                            " stub , openai:gpt-4o-mini,,openai:ft:gpt-4o-mini:org::a1")))
                .models())
        .containsExactlyInAnyOrder("stub", "openai:gpt-4o-mini", "openai:ft:gpt-4o-mini:org::a1");
  }

  @ParameterizedTest
  @ValueSource(strings = {",", " , ,"})
  void refusesAListWithoutModels(String value) {
    assertThatThrownBy(() -> EnabledModels.from(Env.of(Map.of("ALLOWED_MODELS", value))))
        .isInstanceOf(ConfigException.class)
        .hasMessage("ALLOWED_MODELS must name at least one model");
  }

  @ParameterizedTest
  @ValueSource(strings = {"open ai:gpt", ":gpt9", "acme:", "stub;openai:x"})
  void refusesAMalformedNameWithoutQuotingIt(String value) {
    assertThatThrownBy(() -> EnabledModels.from(Env.of(Map.of("ALLOWED_MODELS", value))))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("ALLOWED_MODELS must be a comma list")
        .hasMessageNotContaining(value);
  }
}

package dev.sluice.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.policy.EnabledModels;
import dev.sluice.policy.ModelAccess;
import dev.sluice.policy.PolicyBundle;
import dev.sluice.schemas.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelListTest {

  @Test
  void showsWhatModelAccessListsInOpenAisShape(@TempDir Path dir) throws Exception {
    Files.writeString(
        dir.resolve("default.yaml"), "models:\n  aliases: {fast: openai:gpt-4o-mini}\n");
    ModelAccess models =
        new ModelAccess(
            new EnabledModels(Set.of("stub", "openai:gpt-4o-mini")), PolicyBundle.load(dir));

    ModelList list = ModelList.of(models, "globex");

    assertThat(list.ids()).containsExactly("fast", "gpt-4o-mini", "openai:gpt-4o-mini", "stub");
    JsonNode body = Json.mapper().readTree(Json.mapper().writeValueAsBytes(list));
    assertThat(body.path("object").asText()).isEqualTo("list");
    JsonNode fast = body.path("data").get(0);
    assertThat(fast.path("id").asText()).isEqualTo("fast");
    assertThat(fast.path("object").asText()).isEqualTo("model");
    assertThat(fast.path("created").asLong()).isZero();
    assertThat(fast.path("owned_by").asText()).isEqualTo("openai");
    assertThat(body.path("data").get(3).path("owned_by").asText()).isEqualTo("sluice");
  }
}

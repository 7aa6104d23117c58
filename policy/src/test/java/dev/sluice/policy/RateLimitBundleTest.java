package dev.sluice.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import dev.sluice.schemas.envelope.Source;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The bundle's {@code rate_limits} sections: parsing, precedence, refusals, and the schema. */
class RateLimitBundleTest {

  /** The example of policies/README.md and docs/configuration.md. */
  static final String EXAMPLE =
      """
      rate_limits:
        requests: 600
        window_ms: 60000
        tokens_per_minute: 200000
        daily_tokens: 5000000
        concurrent: 32
        models:
          "openai:gpt-4o": {tokens_per_minute: 50000}
        batch: {requests: 100, tokens_per_minute: 50000}
      """;

  private static JsonSchema schema;

  @BeforeAll
  static void readSchema() throws Exception {
    schema =
        JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
            .getSchema(
                Files.readString(PolicyBundleTest.shippedBundle().resolve("bundle.schema.json")));
  }

  @Test
  void theExampleResolvesPerModelAndSourceOverTheGatewaysDefaults(@TempDir Path dir)
      throws Exception {
    write(dir.resolve("default.yaml"), EXAMPLE);
    write(
        dir.resolve("tenants/acme.yaml"),
        """
        rate_limits:
          requests: 1200
          models:
            stub: {concurrent: 4, window_ms: 1000}
          batch: {concurrent: 2}
        """);
    write(dir.resolve("tenants/globex.yaml"), "limits: {max_tokens: 100}\n");
    RateLimitPolicy policy =
        new RateLimitPolicy(
            RateLimits.NONE.withRequests(10).withDailyTokens(1), PolicyBundle.load(dir));

    assertThat(policy.forRequest("globex", "openai:gpt-4o", Source.HTTP))
        .isEqualTo(
            RateLimits.NONE
                .withRequests(600, 60_000)
                .withTokensPerMinute(50_000)
                .withDailyTokens(5_000_000)
                .withConcurrent(32));
    assertThat(policy.forRequest("globex", "stub", Source.HTTP).tokensPerMinute())
        .hasValue(200_000);
    assertThat(policy.forRequest("globex", "openai:gpt-4o", Source.BATCH))
        .isEqualTo(
            RateLimits.NONE
                .withRequests(100, 60_000)
                .withTokensPerMinute(50_000)
                .withDailyTokens(5_000_000)
                .withConcurrent(32));
    assertThat(policy.forRequest("acme", "stub", Source.HTTP))
        .isEqualTo(
            RateLimits.NONE
                .withRequests(1200, 1_000)
                .withTokensPerMinute(200_000)
                .withDailyTokens(5_000_000)
                .withConcurrent(4));
    // The batch shares of both files, the tenant's over the defaults'.
    assertThat(policy.forRequest("acme", "stub", Source.BATCH))
        .isEqualTo(
            RateLimits.NONE
                .withRequests(100, 1_000)
                .withTokensPerMinute(50_000)
                .withDailyTokens(5_000_000)
                .withConcurrent(2));
    // acme's file says nothing of tokens per minute, so the defaults' entry for the model holds.
    assertThat(policy.forRequest("acme", "openai:gpt-4o", Source.HTTP).tokensPerMinute())
        .hasValue(50_000);
  }

  @Test
  void withoutSectionsTheGatewaysDefaultsApply(@TempDir Path dir) throws Exception {
    write(dir.resolve("default.yaml"), "limits: {max_tokens: 100}\n");
    RateLimits gateway = RateLimits.NONE.withRequests(5).withConcurrent(1);
    RateLimitPolicy policy = new RateLimitPolicy(gateway, PolicyBundle.load(dir));
    assertThat(policy.forRequest("acme", "stub", Source.HTTP)).isEqualTo(gateway);
    assertThat(policy.forRequest("acme", "stub", Source.BATCH)).isEqualTo(gateway);
    assertThat(RateLimitPolicy.none().forRequest("acme", "stub", Source.HTTP).unlimited()).isTrue();
    assertThat(PolicyBundle.empty().forTenant("acme").rateLimits())
        .isEqualTo(TenantRateLimits.NONE);
  }

  @Test
  void theExampleMatchesTheSchema() throws Exception {
    assertThat(schema.validate(yaml(EXAMPLE))).isEmpty();
  }

  /**
   * The commented-out examples of the shipped files, uncommented: each loads and fits the schema.
   */
  @Test
  void theShippedFilesCommentedExamplesAreValid(@TempDir Path dir) throws Exception {
    Path shipped = PolicyBundleTest.shippedBundle();
    for (String file : List.of("default.yaml", "tenants/acme.yaml")) {
      String example = commentedSection(Files.readString(shipped.resolve(file)));
      assertThat(example).as(file).startsWith("rate_limits:\n").contains("\n  ");
      assertThat(schema.validate(yaml(example))).as(file).isEmpty();
      write(dir.resolve("default.yaml"), example);
      assertThat(PolicyBundle.load(dir).forTenant("acme").rateLimits().sections())
          .as(file)
          .hasSize(1);
    }
  }

  /** The lines from {@code # rate_limits:} on that stay indented, without their {@code # }. */
  private static String commentedSection(String content) {
    StringBuilder section = new StringBuilder();
    boolean inside = false;
    for (String line : content.split("\n")) {
      if (line.equals("# rate_limits:")) {
        inside = true;
      } else if (inside && !line.startsWith("#   ")) {
        break;
      }
      if (inside) {
        section.append(line.substring(2)).append('\n');
      }
    }
    return section.toString();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        // file content | what the message must contain
        "rate_limits: {request: 5} | rate_limits.request",
        "rate_limits: {requests: 0} | rate_limits.requests must be >= 1",
        "rate_limits: {requests: -3} | rate_limits.requests must be >= 1",
        "rate_limits: {requests: 1.5} | rate_limits.requests",
        "rate_limits: {requests: '600'} | rate_limits.requests",
        "rate_limits: {requests: true} | rate_limits.requests",
        "rate_limits: {requests: lots} | rate_limits.requests",
        "rate_limits: {requests: ~} | rate_limits.requests",
        "rate_limits: {requests: 99999999999999999999} | rate_limits.requests",
        "rate_limits: {window_ms: 999} | rate_limits.window_ms must be from 1000 to 86400000",
        "rate_limits: {window_ms: 86400001} | rate_limits.window_ms must be from 1000",
        "rate_limits: {tokens_per_minute: 0} | rate_limits.tokens_per_minute must be >= 1",
        "rate_limits: {daily_tokens: 0} | rate_limits.daily_tokens must be >= 1",
        "rate_limits: {concurrent: 0} | rate_limits.concurrent must be >= 1",
        "rate_limits: {concurrent: 3000000000} | rate_limits.concurrent",
        "rate_limits: {models: {stub: {tpm: 5}}} | rate_limits.models.stub.tpm",
        "rate_limits: {models: {stub: {concurrent: 0}}} | rate_limits.models.stub.concurrent must be >= 1",
        "rate_limits: {models: {stub: ~}} | rate_limits.models.stub",
        "rate_limits: {models: {' ': {concurrent: 1}}} | rate_limits.models names an empty model",
        "rate_limits: {models: [stub]} | rate_limits.models",
        "rate_limits: {batch: {requests: 0}} | rate_limits.batch.requests must be >= 1",
        "rate_limits: {batch: {models: {}}} | rate_limits.batch.models",
        "rate_limits: {batch: {batch: {}}} | rate_limits.batch.batch",
        "rate_limits: {batch: ~} | rate_limits.batch",
        "rate_limits: 600 | rate_limits",
      })
  void aBadSectionIsRefusedByTheLoaderAndByTheSchemaNamingTheFileAndTheKey(
      String content, String expected, @TempDir Path dir) throws Exception {
    write(dir.resolve("default.yaml"), "");
    write(dir.resolve("tenants/acme.yaml"), content + "\n");

    assertThatThrownBy(() -> PolicyBundle.load(dir))
        .isInstanceOf(PolicyException.class)
        .hasMessageStartingWith("tenants/acme.yaml: ")
        .hasMessageContaining(expected);
    assertThat(schema.validate(yaml(content))).as(content).isNotEmpty();
  }

  @Test
  void aNullRateLimitsSectionIsAnEmptyOneLikeEveryOtherSection(@TempDir Path dir) throws Exception {
    write(dir.resolve("default.yaml"), "rate_limits:\n");
    assertThat(PolicyBundle.load(dir).forTenant("acme").rateLimits())
        .isEqualTo(TenantRateLimits.NONE);
  }

  @Test
  void limitsStillMeansRequestCaps(@TempDir Path dir) throws Exception {
    write(dir.resolve("default.yaml"), "limits: {requests: 5}\n");
    assertThatThrownBy(() -> PolicyBundle.load(dir)).hasMessageContaining("limits.requests");
  }

  private static JsonNode yaml(String content) throws Exception {
    JsonNode node = new ObjectMapper(new YAMLFactory()).readTree(content);
    return node;
  }

  private static void write(Path file, String content) throws Exception {
    Files.createDirectories(file.getParent());
    Files.writeString(file, content);
  }
}

package dev.sluice.launcher;

import static dev.sluice.launcher.GatewayFixture.json;
import static dev.sluice.launcher.GatewayFixture.quote;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.tools.standins.FakeProviderServer;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retrieval context on the whole path: real HTTP into the ingress, a real broker, the pipeline in
 * its own JVM, and a stand-in OpenAI provider that shows what it received. The admitted chunks
 * reach the model spotlighted (between this request's random boundary, named by the system message,
 * in a user message of their own before the question), and the citations list exactly the documents
 * that were sent.
 */
class RagContextEndToEndTest {
  private static final String MODEL = "openai:gpt-4o-mini";
  private static final String KEY = "rag-e2e-stand-in-key";
  private static final Pattern OPENING =
      Pattern.compile("<<DOCUMENT ([0-9a-f]{32}) id=\"([^\"]*)\" source=\"([^\"]*)\">>");

  @TempDir static Path dir;

  private static FakeProviderServer upstream;
  private static GatewayFixture gateway;

  @BeforeAll
  static void start() throws Exception {
    upstream = FakeProviderServer.start(Duration.ZERO, KEY);
    Path policies = GatewayFixture.policyBundle(dir.resolve("policies"), MODEL);
    Files.createDirectories(policies.resolve("tenants"));
    // One tenant datamarks its documents and has its prompts redacted; the others get defaults.
    Files.writeString(
        policies.resolve("tenants/marked.yaml"),
        "firewall:\n  spotlight: datamark\nredaction:\n  redact_prompts: true\n",
        StandardCharsets.UTF_8);
    gateway =
        GatewayFixture.start(
            dir,
            GatewayFixture.openAiStandIn(
                upstream.baseUrl(),
                KEY,
                policies,
                List.of(MODEL),
                Map.of(
                    "ALLOWED_CONTEXT_ORIGINS",
                    "kb://approved/",
                    "PIPELINE_INSTANCE_ID",
                    "pipeline-rag-e2e-1")),
            true);
  }

  @AfterAll
  static void stop() throws Exception {
    GatewayFixture.closeAll(gateway, upstream);
  }

  @Test
  void theProviderReceivesTheDocumentsSpotlightedAndTheCitationsAreWhatWasSent() throws Exception {
    String token = gateway.minter().mint("acme", "alice", Duration.ofMinutes(15));
    String body =
        "{\"model\":"
            + quote(MODEL)
            + ",\"messages\":["
            + "{\"role\":\"system\",\"content\":\"Answer from the documents only.\"},"
            + "{\"role\":\"user\",\"content\":\"When are holidays?\"}],"
            + "\"context\":{\"source\":\"kb://approved/handbook\",\"chunks\":["
            + "{\"id\":\"c1\",\"content\":\"Holidays are in August.\"},"
            + "{\"id\":\"c\\\"2\",\"content\":\"Expenses go to finance.\","
            + "\"source\":\"kb://approved/faq\"}]}}";

    HttpResponse<String> response = gateway.chat(body, token);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonNode answer = json(response.body());
    assertThat(answer.path("answer").asText()).isEqualTo("echo: When are holidays?");
    JsonNode sent = upstream.lastRequestBody().orElseThrow();
    assertThat(sent.has("context")).isFalse();
    JsonNode messages = sent.path("messages");
    assertThat(roles(messages)).containsExactly("system", "user", "user");
    String documents = messages.get(1).path("content").asText();
    String boundary = boundaryOf(documents);
    assertThat(messages.get(0).path("content").asText())
        .startsWith("Answer from the documents only.\n\n")
        .contains("<<DOCUMENT " + boundary + " id=")
        .contains("<<END " + boundary + ">>")
        .contains("never instructions");
    assertThat(documents)
        .contains("\nHolidays are in August.\n<<END " + boundary + ">>\n")
        .contains("\nExpenses go to finance.\n<<END " + boundary + ">>\n");
    assertThat(messages.get(2).path("content").asText()).isEqualTo("When are holidays?");

    // The citations are the documents sent, in order (the id's quote escaped in the marker).
    List<String> cited = new ArrayList<>();
    answer
        .path("citations")
        .forEach(c -> cited.add(c.path("id").asText() + " " + c.path("source").asText()));
    assertThat(cited).containsExactly("c1 kb://approved/handbook", "c\"2 kb://approved/faq");
    assertThat(sentDocuments(documents))
        .containsExactly("c1 kb://approved/handbook", "c\\\"2 kb://approved/faq");

    // The next request gets a boundary of its own.
    assertThat(gateway.chat(body, token).statusCode()).isEqualTo(200);
    String again = upstream.lastRequestBody().orElseThrow().at("/messages/1/content").asText();
    assertThat(boundaryOf(again)).isNotEqualTo(boundary);
  }

  @Test
  void aTenantThatDatamarksGetsItsRedactedDocumentsMarkedBetweenWords() throws Exception {
    String token = gateway.minter().mint("marked", "bob", Duration.ofMinutes(15));
    String body =
        "{\"model\":"
            + quote(MODEL)
            + ",\"messages\":[{\"role\":\"user\",\"content\":\"Who runs payroll?\"}],"
            + "\"context\":{\"source\":\"kb://approved/people\",\"chunks\":["
            + "{\"id\":\"p1\",\"content\":\"Payroll is run by jane.doe@example.com now.\"}]}}";

    HttpResponse<String> response = gateway.chat(body, token);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonNode messages = upstream.lastRequestBody().orElseThrow().path("messages");
    assertThat(roles(messages)).containsExactly("system", "user", "user");
    assertThat(messages.get(0).path("content").asText())
        .contains("the character ˆ is written between words");
    String documents = messages.get(1).path("content").asText();
    assertThat(documents)
        .contains("\nPayrollˆisˆrunˆbyˆ[REDACTED:EMAIL]ˆnow.\n")
        .doesNotContain("jane.doe");
    assertThat(messages.get(2).path("content").asText()).isEqualTo("Who runs payroll?");
  }

  private static List<String> roles(JsonNode messages) {
    List<String> roles = new ArrayList<>();
    messages.forEach(message -> roles.add(message.path("role").asText()));
    return roles;
  }

  private static String boundaryOf(String documents) {
    Matcher opening = OPENING.matcher(documents);
    assertThat(opening.find()).as("an opening marker").isTrue();
    return opening.group(1);
  }

  private static List<String> sentDocuments(String documents) {
    List<String> sent = new ArrayList<>();
    Matcher opening =
        Pattern.compile(
                "<<DOCUMENT [0-9a-f]{32} id=\"((?:[^\"\\\\]|\\\\.)*)\" source=\"([^\"]*)\">>")
            .matcher(documents);
    while (opening.find()) {
      sent.add(opening.group(1) + " " + opening.group(2));
    }
    return sent;
  }
}

package dev.sluice.pipeline.redaction;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.schemas.Json;
import org.junit.jupiter.api.Test;

class JsonRedactionTest {
  private static final Redactor REDACTOR = Redactor.create();

  @Test
  void redactsValuesNamesAndNumbersAndKeepsTheFormatting() throws Exception {
    String json =
        """
        {
          "name": "Jane",
          "email": "jane.doe@example.com",
          "jane.doe@example.com": true,
          "card": 4111111111111111,
          "note": "say \\"hi\\" to bob@example.org\\n",
          "n": 42
        }""";

    Redaction redaction = JsonRedaction.redact(REDACTOR, json);

    assertThat(redaction.text())
        .isEqualTo(
            """
            {
              "name": "Jane",
              "email": "[REDACTED:EMAIL]",
              "[REDACTED:EMAIL]": true,
              "card": "[REDACTED:CREDIT_CARD]",
              "note": "say \\"hi\\" to [REDACTED:EMAIL]\\n",
              "n": 42
            }""");
    JsonNode tree = Json.mapper().readTree(redaction.text());
    assertThat(tree.get("card").isTextual()).isTrue();
    assertThat(tree.get("n").intValue()).isEqualTo(42);
    assertThat(redaction.report().count(RedactionType.EMAIL)).isEqualTo(3);
    assertThat(redaction.report().count(RedactionType.CREDIT_CARD)).isEqualTo(1);
    // Each edit replaces a whole literal of the original, quotes included.
    for (Redaction.Edit edit : redaction.edits()) {
      char first = json.charAt(edit.start());
      assertThat(first == '"' || Character.isDigit(first)).isTrue();
      assertThat(edit.replacement()).startsWith("\"").endsWith("\"");
    }
  }

  @Test
  void arraysAndNestingAndEscapedMarkersStayJson() throws Exception {
    String json = "[{\"a\":[\"x\",\"mail \\u006aane.doe@example.com\"]},\"ok\",null,1.5e3]";
    Redaction redaction = JsonRedaction.redact(REDACTOR, json);
    assertThat(redaction.text())
        .isEqualTo("[{\"a\":[\"x\",\"mail [REDACTED:EMAIL]\"]},\"ok\",null,1.5e3]");
    assertThat(Json.mapper().readTree(redaction.text()).isArray()).isTrue();
  }

  @Test
  void unchangedJsonIsTheSameStringWithNoEdits() {
    String json = "{\"a\": 1, \"b\": [true, \"plain\"]}";
    Redaction redaction = JsonRedaction.redact(REDACTOR, json);
    assertThat(redaction.text()).isSameAs(json);
    assertThat(redaction.changed()).isFalse();
  }

  @Test
  void whatIsNotExactlyOneJsonValueIsLeftToThePlainTextPass() {
    for (String notJson :
        new String[] {
          "jane.doe@example.com",
          "{\"a\": \"jane.doe@example.com\"", // cut off by max_tokens
          "{\"a\": 1} trailing jane.doe@example.com",
          "{} {}",
          "```json\n{\"a\": 1}\n```",
          "[".repeat(100) + "]".repeat(100)
        }) {
      assertThat(JsonRedaction.redact(REDACTOR, notJson)).as(notJson).isNull();
    }
  }

  @Test
  void theFallbackStillRedactsPlainText() {
    java.util.Map<String, Integer> counts = new java.util.HashMap<>();
    Redaction redaction =
        JsonRedaction.redactOrText(REDACTOR, "{\"a\": \"jane.doe@example.com\"", counts);
    assertThat(redaction.text()).isEqualTo("{\"a\": \"[REDACTED:EMAIL]\"");
    assertThat(counts).containsEntry("EMAIL", 1);
  }

  @Test
  void secretsNamedOnlyByTheirMemberNameAreFoundAsInPlainText() throws Exception {
    String json =
        "{\"user\": \"ann\", \"password\": \"Xk9mP2vL8qR4tZ7w\","
            + " \"aws_secret_access_key\": \"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\"}";
    Redaction redaction = JsonRedaction.redact(REDACTOR, json);
    JsonNode tree = Json.mapper().readTree(redaction.text());
    assertThat(tree.path("password").textValue()).startsWith("[REDACTED:");
    assertThat(tree.path("aws_secret_access_key").textValue()).startsWith("[REDACTED:");
    assertThat(tree.path("user").textValue()).isEqualTo("ann");
    assertThat(redaction.text()).doesNotContain("Xk9mP2vL8qR4tZ7w", "wJalrXUtnFEMI");
    // At least what the plain-text pass finds.
    assertThat(redaction.report().total())
        .isGreaterThanOrEqualTo(REDACTOR.redact(json).report().total());
  }

  @Test
  void aNumberThatReadsAsAPhoneIsAnIdNotAPhoneButAStringPhoneIsRedacted() throws Exception {
    String json =
        "{\"order_id\": 4155552671, \"neg\": -2125551234, \"phone\": \"+1 415 555 2671\"}";
    JsonNode tree = Json.mapper().readTree(JsonRedaction.redact(REDACTOR, json).text());
    assertThat(tree.path("order_id").longValue()).isEqualTo(4155552671L);
    assertThat(tree.path("neg").longValue()).isEqualTo(-2125551234L);
    assertThat(tree.path("phone").textValue()).isEqualTo("[REDACTED:PHONE]");
  }
}

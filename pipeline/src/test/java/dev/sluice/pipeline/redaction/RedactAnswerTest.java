package dev.sluice.pipeline.redaction;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.config.ConfigException;
import dev.sluice.config.Env;
import dev.sluice.pipeline.StageRequests;
import dev.sluice.pipeline.stage.StageDecision;
import dev.sluice.policy.PolicyBundle;
import dev.sluice.schemas.Json;
import dev.sluice.schemas.chat.ChatMessage;
import dev.sluice.schemas.chat.ToolCall;
import dev.sluice.schemas.envelope.VerifiedRequest;
import dev.sluice.schemas.reply.ChatCompletion;
import dev.sluice.schemas.reply.Choice;
import dev.sluice.schemas.reply.Meta;
import dev.sluice.schemas.reply.Usage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RedactAnswerTest {
  private static final String SECRETS =
      "mail jane.doe@example.com, card 4111 1111 1111 1111, key sk-proj-FAKEabcdefghijklmnopqrstuv1234";

  private static VerifiedRequest request(String tenant, String text) {
    return StageRequests.verified(
        tenant, "alice", StageRequests.chat("stub", StageRequests.user(text), null, null));
  }

  private static ChatCompletion completion(String text) {
    return new ChatCompletion(
        "chatcmpl-r1",
        ChatCompletion.OBJECT,
        0,
        "stub",
        List.of(new Choice(0, ChatMessage.of("assistant", text), "stop")),
        Usage.of(1, 1),
        text,
        List.of(),
        new Meta("stub", "r1", null));
  }

  private static ChatCompletion toolCalling(String arguments) {
    ChatMessage message =
        ChatMessage.assistant(null, List.of(ToolCall.function("call_1", "send_mail", arguments)));
    return new ChatCompletion(
        "chatcmpl-r1",
        ChatCompletion.OBJECT,
        0,
        "stub",
        List.of(new Choice(0, message, "tool_calls")),
        Usage.of(1, 1),
        "",
        List.of(),
        new Meta("stub", "r1", null));
  }

  private static ChatCompletion redactTool(String arguments) {
    TenantRedaction redaction = TenantRedaction.from(Env.of(Map.of()), PolicyBundle.empty());
    return new RedactAnswer(redaction::answers).apply(request("acme", "q"), toolCalling(arguments));
  }

  @Test
  void redactsToolCallArgumentsAndKeepsThemValidJson() throws Exception {
    String arguments =
        "{\"to\":\"jane.doe@example.com\",\"cc\":[\"bob@example.org\"],"
            + "\"body\":{\"text\":\"card 4111 1111 1111 1111\\nthanks\"},\"urgent\":true}";
    ChatCompletion redacted = redactTool(arguments);

    ChatMessage message = redacted.choices().get(0).message();
    ToolCall call = message.toolCalls().get(0);
    assertThat(call.id()).isEqualTo("call_1");
    assertThat(call.function().name()).isEqualTo("send_mail");
    JsonNode cleaned = Json.mapper().readTree(call.function().arguments());
    assertThat(cleaned.path("to").asText()).isEqualTo("[REDACTED:EMAIL]");
    assertThat(cleaned.path("cc").get(0).asText()).isEqualTo("[REDACTED:EMAIL]");
    assertThat(cleaned.path("body").path("text").asText())
        .isEqualTo("card [REDACTED:CREDIT_CARD]\nthanks");
    assertThat(cleaned.path("urgent").asBoolean()).isTrue();
    assertThat(message.hasContent()).isFalse();
    assertThat(redacted.choices().get(0).finishReason()).isEqualTo("tool_calls");
    assertThat(redacted.meta().redactions())
        .containsEntry("EMAIL", 2)
        .containsEntry("CREDIT_CARD", 1);
  }

  @Test
  void toolCallArgumentsThatAreNotJsonAreRedactedAsText() {
    ChatCompletion redacted = redactTool("to: jane.doe@example.com");
    assertThat(redacted.choices().get(0).message().toolCalls().get(0).function().arguments())
        .isEqualTo("to: [REDACTED:EMAIL]");
  }

  @Test
  void cleanToolCallArgumentsKeepTheirFormatting() {
    String arguments = "{ \"city\" : \"Oslo\" }";
    ChatCompletion redacted = redactTool(arguments);
    assertThat(redacted.choices().get(0).message().toolCalls().get(0).function().arguments())
        .isEqualTo(arguments);
  }

  @Test
  void redactsEveryChoiceAndTheAnswerAndCountsByType() {
    TenantRedaction redaction = TenantRedaction.from(Env.of(Map.of()), PolicyBundle.empty());
    ChatCompletion redacted =
        new RedactAnswer(redaction::answers).apply(request("acme", "q"), completion(SECRETS));

    String text = redacted.choices().get(0).message().text();
    assertThat(text)
        .doesNotContain("jane.doe@example.com")
        .doesNotContain("4111")
        .doesNotContain("sk-proj-")
        .contains("[REDACTED:EMAIL]")
        .contains("[REDACTED:CREDIT_CARD]")
        .contains("[REDACTED:OPENAI_KEY]");
    assertThat(redacted.answer()).isEqualTo(text);
    assertThat(redacted.meta().redactions())
        .containsEntry("EMAIL", 1)
        .containsEntry("CREDIT_CARD", 1)
        .containsEntry("OPENAI_KEY", 1);
    assertThat(redacted.meta().provider()).isEqualTo("stub");
  }

  @Test
  void tenantsSwitchTypesAndPromptRedactionInTheirPolicy(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("default.yaml"), "");
    Files.createDirectories(dir.resolve("tenants"));
    Files.writeString(
        dir.resolve("tenants/acme.yaml"), "redaction:\n  types: [EMAIL]\n  redact_prompts: true\n");
    TenantRedaction redaction = TenantRedaction.from(Env.of(Map.of()), PolicyBundle.load(dir));

    ChatCompletion acme =
        new RedactAnswer(redaction::answers).apply(request("acme", "q"), completion(SECRETS));
    assertThat(acme.answer()).contains("[REDACTED:EMAIL]").contains("4111 1111 1111 1111");

    StageDecision prompt = new RedactPrompt(redaction::prompts).apply(request("acme", SECRETS), 0);
    assertThat(((StageDecision.Pass) prompt).request().request().lastUserText())
        .contains("[REDACTED:EMAIL]");
    VerifiedRequest other = request("globex", SECRETS);
    assertThat(new RedactPrompt(redaction::prompts).apply(other, 0))
        .isEqualTo(new StageDecision.Pass(other));
  }

  @Test
  void anUnknownTypeStopsStartUp(@TempDir Path dir) throws Exception {
    Assertions.assertThatThrownBy(
            () ->
                TenantRedaction.from(
                    Env.of(Map.of("REDACTION_TYPES", "EMAIL,EMALE")), PolicyBundle.empty()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("REDACTION_TYPES")
        .hasMessageContaining("EMALE");
  }
}

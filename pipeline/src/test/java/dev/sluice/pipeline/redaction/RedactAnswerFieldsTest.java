package dev.sluice.pipeline.redaction;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.config.Env;
import dev.sluice.pipeline.StageRequests;
import dev.sluice.policy.PolicyBundle;
import dev.sluice.schemas.Json;
import dev.sluice.schemas.chat.Annotation;
import dev.sluice.schemas.chat.Annotation.UrlCitation;
import dev.sluice.schemas.chat.ChatMessage;
import dev.sluice.schemas.chat.ChatRequests;
import dev.sluice.schemas.envelope.VerifiedRequest;
import dev.sluice.schemas.reply.ChatCompletion;
import dev.sluice.schemas.reply.Choice;
import dev.sluice.schemas.reply.ChoiceLogprobs;
import dev.sluice.schemas.reply.Meta;
import dev.sluice.schemas.reply.TokenLogprob;
import dev.sluice.schemas.reply.Usage;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The answer fields beside the text: JSON answers, refusals, annotations and log probabilities. */
class RedactAnswerFieldsTest {
  private static final RedactAnswer STAGE =
      new RedactAnswer(TenantRedaction.from(Env.of(Map.of()), PolicyBundle.empty())::answers);

  private static VerifiedRequest request(String responseFormat) throws Exception {
    String body =
        "{\"model\":\"stub\",\"messages\":[{\"role\":\"user\",\"content\":\"q\"}]"
            + (responseFormat == null ? "" : ",\"response_format\":" + responseFormat)
            + "}";
    return StageRequests.verified(
        "acme", "alice", ChatRequests.parse(Json.mapper().readTree(body)));
  }

  private static ChatCompletion completion(ChatMessage message, ChoiceLogprobs logprobs) {
    return new ChatCompletion(
        "chatcmpl-r1",
        ChatCompletion.OBJECT,
        0,
        "stub",
        List.of(new Choice(0, message, "stop", logprobs)),
        Usage.of(1, 1),
        message.text(),
        List.of(),
        new Meta("stub", "r1", null));
  }

  @Test
  void aJsonModeAnswerIsRedactedValueByValueAndStaysJson() throws Exception {
    String json =
        "{\"contact\": {\"email\": \"jane.doe@example.com\", \"card\": 4111111111111111}}";
    ChatCompletion redacted =
        STAGE.apply(
            request("{\"type\":\"json_object\"}"),
            completion(ChatMessage.assistant(json, List.of()), null));

    String text = redacted.choices().get(0).message().text();
    JsonNode tree = Json.mapper().readTree(text);
    assertThat(tree.path("contact").path("email").textValue()).isEqualTo("[REDACTED:EMAIL]");
    assertThat(tree.path("contact").path("card").textValue()).isEqualTo("[REDACTED:CREDIT_CARD]");
    assertThat(redacted.answer()).isEqualTo(text);
    assertThat(redacted.meta().redactions())
        .containsEntry("EMAIL", 1)
        .containsEntry("CREDIT_CARD", 1);
  }

  @Test
  void withoutJsonModeTheSameTextIsRedactedAsText() throws Exception {
    String json = "{\"email\": \"jane.doe@example.com\"}";
    ChatCompletion redacted =
        STAGE.apply(request(null), completion(ChatMessage.assistant(json, List.of()), null));
    assertThat(redacted.choices().get(0).message().text())
        .isEqualTo("{\"email\": \"[REDACTED:EMAIL]\"}");
  }

  @Test
  void theRefusalIsRedactedAndItsTokensMasked() throws Exception {
    ChatMessage refusing =
        ChatMessage.assistant(null, List.of())
            .withAnswerNotes("I will not mail jane.doe@example.com", List.of());
    List<TokenLogprob> tokens =
        List.of(
            new TokenLogprob("I will not mail ", -0.1, null, List.of()),
            new TokenLogprob("jane.doe@example.com", -0.2, null, List.of()));

    ChatCompletion redacted =
        STAGE.apply(request(null), completion(refusing, new ChoiceLogprobs(null, tokens)));

    Choice choice = redacted.choices().get(0);
    assertThat(choice.message().refusal()).isEqualTo("I will not mail [REDACTED:EMAIL]");
    assertThat(choice.message().hasContent()).isFalse();
    assertThat(choice.logprobs().refusal())
        .extracting(TokenLogprob::token)
        .containsExactly("I will not mail ", "[REDACTED:EMAIL]");
    // Written as OpenAI writes a refusal: content null beside it.
    JsonNode wire = Json.mapper().valueToTree(choice);
    assertThat(wire.path("message").path("content").isNull()).isTrue();
    assertThat(wire.path("message").path("refusal").textValue())
        .isEqualTo("I will not mail [REDACTED:EMAIL]");
  }

  @Test
  void annotationsFollowTheTextAndTheirPagesAreRedacted() throws Exception {
    String text = "Write to jane.doe@example.com about the report.";
    int start = text.indexOf("the report");
    ChatMessage message =
        ChatMessage.assistant(text, List.of())
            .withAnswerNotes(
                null,
                List.of(
                    new Annotation(
                        Annotation.URL_CITATION,
                        new UrlCitation(
                            start,
                            start + "the report".length(),
                            "https://example.com/r?owner=jane.doe@example.com",
                            "Report"))));

    ChatCompletion redacted = STAGE.apply(request(null), completion(message, null));

    ChatMessage after = redacted.choices().get(0).message();
    UrlCitation citation = after.annotations().get(0).urlCitation();
    assertThat(after.text().substring(citation.startIndex(), citation.endIndex()))
        .isEqualTo("the report");
    assertThat(citation.url()).doesNotContain("jane.doe");
    assertThat(citation.title()).isEqualTo("Report");
  }

  @Test
  void contentTokensAreMaskedAndTheAnswerReadsBackFromTheReplyTopic() throws Exception {
    String text = "Mail jane.doe@example.com";
    List<TokenLogprob> tokens =
        List.of(
            new TokenLogprob("Mail", -0.1, null, List.of(new TokenLogprob("Send", -1, null, null))),
            new TokenLogprob(
                " jane", -0.2, null, List.of(new TokenLogprob(" john", -1, null, null))),
            new TokenLogprob(".doe@example.com", -0.3, null, List.of()));

    ChatCompletion redacted =
        STAGE.apply(
            request(null),
            completion(ChatMessage.assistant(text, List.of()), new ChoiceLogprobs(tokens, null)));

    ChatCompletion read =
        Json.mapper().readValue(Json.mapper().writeValueAsBytes(redacted), ChatCompletion.class);
    List<TokenLogprob> content = read.choices().get(0).logprobs().content();
    assertThat(content)
        .extracting(TokenLogprob::token)
        .containsExactly("Mail", "[REDACTED:EMAIL]", "");
    assertThat(content.get(0).topLogprobs()).hasSize(1);
    assertThat(content.get(1).topLogprobs()).isEmpty();
    assertThat(Json.mapper().writeValueAsString(read)).doesNotContain("jane", "john");
  }
}

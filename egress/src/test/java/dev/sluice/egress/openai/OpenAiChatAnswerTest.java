package dev.sluice.egress.openai;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.egress.ProviderAnswer;
import dev.sluice.egress.ProviderCall;
import dev.sluice.schemas.Json;
import dev.sluice.schemas.chat.ChatRequests;
import org.junit.jupiter.api.Test;

/** What an OpenAI-compatible answer keeps besides the message: ids, fingerprint, tier, usage. */
class OpenAiChatAnswerTest {
  private static ProviderAnswer answer(String body) throws Exception {
    ProviderCall call =
        new ProviderCall(
            "req-1",
            "gpt-4o-mini",
            ChatRequests.parse(
                Json.mapper()
                    .readTree(
                        "{\"model\":\"openai:gpt-4o-mini\","
                            + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")),
            Long.MAX_VALUE);
    return OpenAiChat.answer("openai", call, body);
  }

  @Test
  void keepsTheProvidersIdFingerprintTierAndTokenBreakdowns() throws Exception {
    ProviderAnswer answer =
        answer(
            """
            {"id":"chatcmpl-abc","object":"chat.completion","created":1,"model":"gpt-4o-mini",
             "system_fingerprint":"fp_44709d6fcb","service_tier":"default",
             "choices":[{"index":0,"message":{"role":"assistant","content":"hello"},
                         "finish_reason":"stop","logprobs":null}],
             "usage":{"prompt_tokens":9,"completion_tokens":12,"total_tokens":21,
                      "prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},
                      "completion_tokens_details":{"reasoning_tokens":8,
                        "accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}}
            """);

    assertThat(answer.providerId()).isEqualTo("chatcmpl-abc");
    assertThat(answer.systemFingerprint()).isEqualTo("fp_44709d6fcb");
    assertThat(answer.serviceTier()).isEqualTo("default");
    assertThat(answer.usage().promptTokensDetails())
        .containsExactly(
            java.util.Map.entry("cached_tokens", 0), java.util.Map.entry("audio_tokens", 0));
    assertThat(answer.usage().completionTokensDetails()).containsEntry("reasoning_tokens", 8);
  }

  @Test
  void leavesOutWhatIsNotAShortStringOrACount() throws Exception {
    ProviderAnswer answer =
        answer(
            "{\"id\":7,\"system_fingerprint\":\""
                + "f".repeat(300)
                + "\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
                + "\"content\":\"hi\"},\"finish_reason\":\"stop\"}],"
                + "\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1,\"total_tokens\":2,"
                + "\"prompt_tokens_details\":{\"cached_tokens\":-1,\"odd\":\"x\"},"
                + "\"completion_tokens_details\":[]}}");

    assertThat(answer.providerId()).isNull();
    assertThat(answer.systemFingerprint()).isNull();
    assertThat(answer.serviceTier()).isNull();
    assertThat(answer.usage().promptTokensDetails()).isNull();
    assertThat(answer.usage().completionTokensDetails()).isNull();
  }

  @Test
  void keepsTheRefusalAnnotationsAndLogprobs() throws Exception {
    ProviderAnswer answer =
        answer(
            """
            {"id":"chatcmpl-abc","model":"gpt-4o-mini",
             "choices":[{"index":0,"finish_reason":"stop",
               "message":{"role":"assistant","content":"Paris.","refusal":null,
                 "annotations":[
                   {"type":"url_citation","url_citation":{"start_index":0,"end_index":5,
                     "url":"https://en.wikipedia.org/wiki/Paris","title":"Paris"}},
                   {"type":"file_citation","file_citation":{"file_id":"f"}},
                   {"type":"url_citation","url_citation":{"start_index":9,"end_index":2,
                     "url":"https://bad.example","title":"backwards"}}]},
               "logprobs":{"content":[
                 {"token":"Paris","logprob":-0.01,"bytes":[80,97,114,105,115],
                  "top_logprobs":[{"token":"Paris","logprob":-0.01,"bytes":[80,97,114,105,115]},
                                  {"token":"Lyon","logprob":-5.2,"bytes":null}]},
                 {"token":".","logprob":-0.0001,"bytes":[46],"top_logprobs":[]}],
                 "refusal":null}}],
             "usage":{"prompt_tokens":9,"completion_tokens":2,"total_tokens":11}}
            """);

    assertThat(answer.message().text()).isEqualTo("Paris.");
    assertThat(answer.message().refusal()).isNull();
    // Only url citations with a sane span are kept.
    assertThat(answer.message().annotations()).hasSize(1);
    assertThat(answer.message().annotations().get(0).urlCitation().url())
        .isEqualTo("https://en.wikipedia.org/wiki/Paris");
    assertThat(answer.logprobs().refusal()).isNull();
    assertThat(answer.logprobs().content()).hasSize(2);
    assertThat(answer.logprobs().content().get(0).bytes()).containsExactly(80, 97, 114, 105, 115);
    assertThat(answer.logprobs().content().get(0).topLogprobs())
        .extracting(t -> t.token())
        .containsExactly("Paris", "Lyon");
    assertThat(answer.logprobs().content().get(0).topLogprobs().get(1).bytes()).isNull();
  }

  @Test
  void aRefusalWithNoContentStaysARefusal() throws Exception {
    ProviderAnswer answer =
        answer(
            """
            {"choices":[{"index":0,"finish_reason":"stop",
               "message":{"role":"assistant","content":null,
                          "refusal":"I'm sorry, I can't help with that."}}],
             "usage":{"prompt_tokens":9,"completion_tokens":9}}
            """);

    assertThat(answer.message().hasContent()).isFalse();
    assertThat(answer.message().refusal()).isEqualTo("I'm sorry, I can't help with that.");
    assertThat(answer.logprobs()).isNull();
  }

  @Test
  void logprobsAreBoundedSoTheReplyFitsItsTopic() throws Exception {
    StringBuilder body =
        new StringBuilder(
            "{\"choices\":[{\"index\":0,\"finish_reason\":\"length\","
                + "\"message\":{\"role\":\"assistant\",\"content\":\"x\"},"
                + "\"logprobs\":{\"content\":[");
    int tokens = 2_000;
    for (int t = 0; t < tokens; t++) {
      body.append(t == 0 ? "" : ",").append("{\"token\":\"x\",\"logprob\":-1,\"top_logprobs\":[");
      for (int k = 0; k < 20; k++) {
        body.append(k == 0 ? "" : ",").append("{\"token\":\"y\",\"logprob\":-2}");
      }
      body.append("]}");
    }
    body.append("]}}],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1}}");

    ProviderAnswer answer = answer(body.toString());

    assertThat(answer.logprobs().content()).hasSize(tokens);
    long alternatives =
        answer.logprobs().content().stream().mapToLong(t -> t.topLogprobs().size()).sum();
    assertThat(alternatives).isPositive().isLessThan(tokens * 20L);
    long cost =
        answer.logprobs().content().stream()
            .mapToLong(
                t ->
                    OpenAiAnswerFields.cost(t)
                        + t.topLogprobs().stream().mapToLong(OpenAiAnswerFields::cost).sum())
            .sum();
    assertThat(cost).isLessThanOrEqualTo(OpenAiAnswerFields.MAX_LOGPROB_BYTES);
    // The reply these make stays well under the reply topic's 4 MiB.
    assertThat(Json.mapper().writeValueAsBytes(answer.logprobs()).length)
        .isLessThan((int) OpenAiAnswerFields.MAX_LOGPROB_BYTES);
    // Past the budget the tokens keep coming, without alternatives.
    assertThat(answer.logprobs().content().get(tokens - 1).topLogprobs()).isEmpty();
  }

  @Test
  void tokensThatAloneDoNotFitAreWithheldAndInfiniteOnesAreNotTokens() throws Exception {
    StringBuilder body =
        new StringBuilder(
            "{\"choices\":[{\"index\":0,\"finish_reason\":\"length\","
                + "\"message\":{\"role\":\"assistant\",\"content\":\"x\"},"
                + "\"logprobs\":{\"content\":[");
    for (int t = 0; t < 20_000; t++) {
      body.append(t == 0 ? "" : ",").append("{\"token\":\"xxxxxxxxxx\",\"logprob\":-1}");
    }
    body.append("]}}],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1}}");
    assertThat(answer(body.toString()).logprobs()).isNull();

    ProviderAnswer infinite =
        answer(
            "{\"choices\":[{\"index\":0,\"finish_reason\":\"stop\","
                + "\"message\":{\"role\":\"assistant\",\"content\":\"x\"},"
                + "\"logprobs\":{\"content\":[{\"token\":\"x\",\"logprob\":-1e400}]}}],"
                + "\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1}}");
    assertThat(infinite.logprobs()).isNull();
  }

  @Test
  void anAnswerLongerThanARepliesRoomIsAProviderError() {
    String body =
        "{\"choices\":[{\"index\":0,\"finish_reason\":\"stop\","
            + "\"message\":{\"role\":\"assistant\",\"content\":\""
            + "x".repeat(ProviderAnswer.MAX_TEXT_CHARS + 1)
            + "\"}}],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1}}";
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> answer(body))
        .isInstanceOfSatisfying(
            dev.sluice.egress.ProviderException.class,
            e -> assertThat(e.kind()).isEqualTo(dev.sluice.egress.ProviderException.Kind.ERROR));
  }
}

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
}

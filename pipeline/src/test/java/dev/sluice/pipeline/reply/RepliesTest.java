package dev.sluice.pipeline.reply;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.egress.ProviderAnswer;
import dev.sluice.egress.ProviderException;
import dev.sluice.pipeline.StageRequests;
import dev.sluice.pipeline.redaction.RedactAnswer;
import dev.sluice.pipeline.redaction.Redactor;
import dev.sluice.pipeline.stage.Refusal;
import dev.sluice.schemas.Json;
import dev.sluice.schemas.StageName;
import dev.sluice.schemas.chat.ChatMessage;
import dev.sluice.schemas.envelope.VerifiedRequest;
import dev.sluice.schemas.reply.ChatCompletion;
import dev.sluice.schemas.reply.ErrorCode;
import dev.sluice.schemas.reply.Usage;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class RepliesTest {

  @Test
  void aProviderRefusalKeepsItsStatusCodeAndParamAsOpenAiWouldAnswer() {
    Refusal notFound =
        Replies.providerFailure(
            new ProviderException(
                "the provider refused the request (openai, 404, model_not_found)",
                new ProviderException.Upstream("openai", 404, "model_not_found", null)));
    assertThat(notFound.code().status()).isEqualTo(404);
    assertThat(notFound.error().type()).isEqualTo("invalid_request_error");
    assertThat(notFound.error().code()).isEqualTo("model_not_found");
    assertThat(notFound.error().message()).contains("openai");

    Refusal invalid =
        Replies.providerFailure(
            new ProviderException(
                "the provider refused the request (openai, 400)",
                new ProviderException.Upstream("openai", 400, null, "temperature")));
    assertThat(invalid.code().status()).isEqualTo(400);
    assertThat(invalid.error().code()).isEqualTo("provider_invalid_request");
    assertThat(invalid.error().param()).isEqualTo("temperature");

    Refusal unprocessable =
        Replies.providerFailure(
            new ProviderException(
                "x", new ProviderException.Upstream("openai", 422, "invalid_value", "seed")));
    assertThat(unprocessable.code().status()).isEqualTo(422);
    assertThat(
            Replies.providerFailure(
                    new ProviderException(
                        "x", new ProviderException.Upstream("openai", 409, null, null)))
                .code()
                .status())
        .as("another 4xx is the caller's to fix too")
        .isEqualTo(400);
  }

  @Test
  void aRefusedGatewayKeyIsTheGatewaysFaultNotTheCallers() {
    for (int status : new int[] {401, 403}) {
      Refusal refusal =
          Replies.providerFailure(
              new ProviderException(
                  "the provider refused the request (openai, " + status + ", invalid_api_key)",
                  new ProviderException.Upstream("openai", status, "invalid_api_key", null)));
      assertThat(refusal.code().status()).isEqualTo(502);
      assertThat(refusal.error().code()).isEqualTo("provider_auth_error");
      assertThat(refusal.error().message()).doesNotContain("invalid_api_key");
    }
  }

  @Test
  void aCompletionKeepsTheProvidersIdFingerprintTierAndBreakdownsThroughRedaction() {
    VerifiedRequest request =
        StageRequests.verified(
            "acme",
            "alice",
            StageRequests.chat(
                "openai:gpt-4o-mini", List.of(ChatMessage.of("user", "hi")), null, null));
    ProviderAnswer answer =
        new ProviderAnswer(
            "openai",
            "gpt-4o-mini",
            ChatMessage.assistant("mail jane@example.com", List.of()),
            "stop",
            Usage.of(9, 12).withDetails(Map.of("cached_tokens", 4), Map.of("reasoning_tokens", 8)),
            "chatcmpl-upstream",
            "fp_1",
            "flex");
    ChatCompletion completion = Replies.completion(request, null, answer, 1_000);
    Redactor redactor = Redactor.create();
    ChatCompletion redacted = new RedactAnswer(tenant -> redactor).apply(request, completion);

    JsonNode json = Json.mapper().valueToTree(redacted);
    assertThat(json.path("model").asText())
        .as("as the caller named it")
        .isEqualTo("openai:gpt-4o-mini");
    assertThat(json.at("/meta/provider_model").asText()).isEqualTo("gpt-4o-mini");
    assertThat(json.path("system_fingerprint").asText()).isEqualTo("fp_1");
    assertThat(json.path("service_tier").asText()).isEqualTo("flex");
    assertThat(json.at("/meta/provider_id").asText()).isEqualTo("chatcmpl-upstream");
    assertThat(json.path("id").asText()).startsWith("chatcmpl-").isNotEqualTo("chatcmpl-upstream");
    assertThat(json.at("/usage/prompt_tokens_details/cached_tokens").asInt()).isEqualTo(4);
    assertThat(json.at("/usage/completion_tokens_details/reasoning_tokens").asInt()).isEqualTo(8);
    assertThat(json.path("answer").asText()).doesNotContain("jane@example.com");
  }

  @Test
  void unwrapsTheFailureAFutureReports() {
    ProviderException error = new ProviderException(ProviderException.Kind.ERROR, "it failed");
    assertThat(Replies.providerFailure(new CompletionException(error)).code())
        .isEqualTo(ErrorCode.PROVIDER_ERROR);
    assertThat(
            Replies.providerFailure(new CompletionException(new ExecutionException(error))).code())
        .isEqualTo(ErrorCode.PROVIDER_ERROR);
  }

  @Test
  void treatsTimeoutsAndCancellationsAsProviderTimeouts() {
    assertThat(Replies.providerFailure(new TimeoutException()).code())
        .isEqualTo(ErrorCode.PROVIDER_TIMEOUT);
    assertThat(Replies.providerFailure(new CompletionException(new TimeoutException())).code())
        .isEqualTo(ErrorCode.PROVIDER_TIMEOUT);
    assertThat(Replies.providerFailure(new CancellationException()).code())
        .isEqualTo(ErrorCode.PROVIDER_TIMEOUT);
  }

  @Test
  void carriesRetryAfterWithARateLimit() {
    Refusal refusal =
        Replies.providerFailure(
            new ProviderException(ProviderException.Kind.RATE_LIMITED, "slow down", 7));
    assertThat(refusal.code()).isEqualTo(ErrorCode.RATE_LIMITED);
    assertThat(refusal.retryAfterSeconds()).isEqualTo(7);
    assertThat(Replies.refused("r1", "acme", refusal, java.util.Map.of()).retryAfterSeconds())
        .isEqualTo(7);
  }

  @Test
  void hidesTheMessageOfAnUnexpectedFailure() {
    Refusal refusal =
        Replies.providerFailure(new IllegalStateException("Authorization: Bearer sk-live-xyz"));
    assertThat(refusal.code()).isEqualTo(ErrorCode.PROVIDER_ERROR);
    assertThat(refusal.error().message()).doesNotContain("sk-live").doesNotContain("Bearer");
    assertThat(refusal.error().reasons()).noneMatch(reason -> reason.contains("sk-live"));
  }

  @Test
  void theProvidersOwnMessageReachesTheCallerAfterTheRedactor() {
    Refusal refusal =
        Replies.providerFailure(
            new ProviderException(
                "the provider refused the request (openai, 400)",
                new ProviderException.Upstream(
                    "openai",
                    400,
                    null,
                    "messages",
                    "Invalid 'messages[0].content': 'mail jane.doe@example.com\n"
                        + "key sk-proj-FAKEabcdefghijklmnopqrstuv1234' "
                        + "x".repeat(2_000))));

    String message = refusal.error().message();
    assertThat(message)
        .startsWith("the provider refused the request (openai, 400): Invalid 'messages[0].content'")
        .contains("[REDACTED:EMAIL]")
        .doesNotContain("jane.doe", "sk-proj", "\n");
    assertThat(message.length()).isLessThan(ProviderException.Upstream.MAX_MESSAGE_CHARS + 100);
    // The audit record takes its reasons, which are the code alone.
    assertThat(refusal.error().reasons()).containsExactly("provider_invalid_request");
  }

  @Test
  void aProvidersRateLimitFiguresRideTheReply() {
    Refusal refusal =
        Replies.providerFailure(
            new ProviderException(
                "the provider is rate limiting",
                3,
                Map.of("limit-requests", "500", "remaining-requests", "0")));
    assertThat(refusal.upstreamRateLimits()).containsEntry("limit-requests", "500");
    var reply = Replies.refused("r1", "acme", refusal, Map.of());
    assertThat(reply.status()).isEqualTo(429);
    assertThat(reply.upstreamRateLimits())
        .containsOnly(Map.entry("limit-requests", "500"), Map.entry("remaining-requests", "0"));
    JsonNode wire = Json.mapper().valueToTree(reply);
    assertThat(wire.path("upstreamRateLimits").path("limit-requests").textValue()).isEqualTo("500");
    // Absent from every other reply, which the hot path writes by the thousand.
    JsonNode plain =
        Json.mapper()
            .valueToTree(
                Replies.refused(
                    "r2",
                    "acme",
                    Refusal.of(StageName.RATE_LIMIT, ErrorCode.RATE_LIMITED, "x"),
                    Map.of()));
    assertThat(plain.has("upstreamRateLimits")).isFalse();
  }

  @Test
  void theProvidersMessageIsCutAfterTheRedactorSoNoPieceOfASecretSurvivesTheCut() {
    for (int lead = 480; lead < 520; lead++) {
      String said =
          "x".repeat(lead) + " sk-proj-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789 4111 1111 1111 1111";
      String message =
          Replies.withProviderMessage(
              "refused", new ProviderException.Upstream("openai", 400, null, null, said));
      assertThat(message).as("lead " + lead).doesNotContain("sk-proj", "AbCdEf", "4111 1111");
      assertThat(message).doesNotContainPattern("\\[REDACTED:[A-Z_]*$");
    }
  }
}

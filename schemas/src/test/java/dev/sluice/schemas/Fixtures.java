package dev.sluice.schemas;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.schemas.audit.AuditDecision;
import dev.sluice.schemas.audit.AuditRecord;
import dev.sluice.schemas.audit.RateLimitRecord;
import dev.sluice.schemas.chat.ChatMessage;
import dev.sluice.schemas.chat.ChatRequest;
import dev.sluice.schemas.chat.ChatRequests;
import dev.sluice.schemas.chat.ContentPart;
import dev.sluice.schemas.chat.InvalidChatRequest;
import dev.sluice.schemas.envelope.ReplyNonce;
import dev.sluice.schemas.envelope.ReplyTo;
import dev.sluice.schemas.envelope.RequestEnvelope;
import dev.sluice.schemas.envelope.RiskFlag;
import dev.sluice.schemas.envelope.Source;
import dev.sluice.schemas.envelope.VerifiedRequest;
import dev.sluice.schemas.reply.ChatCompletion;
import dev.sluice.schemas.reply.Choice;
import dev.sluice.schemas.reply.ChoiceLogprobs;
import dev.sluice.schemas.reply.Citation;
import dev.sluice.schemas.reply.ErrorCode;
import dev.sluice.schemas.reply.Meta;
import dev.sluice.schemas.reply.Outcome;
import dev.sluice.schemas.reply.RateLimitState;
import dev.sluice.schemas.reply.ReplyEnvelope;
import dev.sluice.schemas.reply.TokenLogprob;
import dev.sluice.schemas.reply.Usage;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/** Realistic contract values, as the gateway would write them. */
public final class Fixtures {
  private Fixtures() {}

  public static final String REQUEST_ID = "0190b8e4-6f3a-7c2e-9a51-3d2f8e7b1c40";
  public static final String TENANT = "acme";

  /** Looks like a real HS256 JWT so a leak is unmistakable. */
  public static final String CREDENTIAL =
      "eyJhbGciOiJIUzI1NiJ9.eyJ0ZW5hbnQiOiJhY21lIiwic3ViIjoiYWxpY2UifQ.SECRET-SIGNATURE-x9Qz";

  /** Prompt text that must never show up in a log line. */
  public static final String PROMPT = "PROMPT-TEXT my card is 4111 1111 1111 1111";

  public static final String ANSWER = "ANSWER-TEXT the capital of France is Paris";
  public static final String CHUNK_TEXT = "CHUNK-TEXT Paris is the capital of France.";

  /** A reply nonce that must never show up in a log line either. */
  public static final ReplyNonce NONCE = new ReplyNonce("NONCE-VALUE-kq3xM9tR2wZp");

  public static final String ZERO_HASH = "0".repeat(64);
  public static final String HASH_1 =
      "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
  public static final String HASH_2 =
      "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752";

  public static JsonNode json(String text) {
    try {
      return Json.mapper().readTree(text);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static JsonNode toTree(Object value) {
    return Json.mapper().valueToTree(value);
  }

  /** A chat request with every field the gateway reads, context chunks included. */
  public static JsonNode fullChatRequestJson() {
    return json(
        """
        {
          "model": "gpt-4o-mini",
          "messages": [
            {"role": "system", "content": "Answer from the context only."},
            {"role": "user", "name": "alice",
             "content": [{"type": "text", "text": "%s"}, {"type": "text", "text": "Be brief."}]}
          ],
          "max_tokens": 256,
          "max_completion_tokens": 128,
          "temperature": 0.2,
          "top_p": 0.9,
          "stop": ["\\n\\n"],
          "user": "end-user-42",
          "stream": false,
          "n": 1,
          "context": {
            "source": "kb://handbook",
            "chunks": [
              {"id": "c1", "content": "%s"},
              {"id": 7, "content": "Second chunk.", "source": "https://intranet.example/faq"}
            ]
          }
        }
        """
            .formatted(PROMPT, CHUNK_TEXT));
  }

  public static ChatRequest fullChatRequest() {
    try {
      return ChatRequests.parse(fullChatRequestJson());
    } catch (InvalidChatRequest e) {
      throw new AssertionError(e);
    }
  }

  public static RequestEnvelope requestEnvelope(JsonNode request) {
    return new RequestEnvelope(
        RequestEnvelope.VERSION,
        REQUEST_ID,
        TENANT,
        CREDENTIAL,
        new ReplyTo("llm.replies", 3, NONCE),
        "idem-123",
        "203.0.113.7",
        "batch-2024-06",
        "line-17",
        request);
  }

  public static VerifiedRequest verifiedRequest() {
    return new VerifiedRequest(
        REQUEST_ID,
        new Principal(TENANT, "alice"),
        Source.HTTP,
        new ReplyTo("llm.replies", 3, NONCE),
        "idem-123",
        "203.0.113.7",
        null,
        null,
        1_718_000_000_000L,
        fullChatRequest());
  }

  public static ChatCompletion completion() {
    return new ChatCompletion(
        "chatcmpl-8x2",
        ChatCompletion.OBJECT,
        1_718_000_001L,
        "gpt-4o-mini",
        List.of(
            new Choice(
                0,
                ChatMessage.of("assistant", ANSWER),
                "stop",
                new ChoiceLogprobs(
                    List.of(new TokenLogprob(ANSWER, -0.01, null, List.of())), null))),
        Usage.of(42, 9).withDetails(Map.of("cached_tokens", 0), Map.of("reasoning_tokens", 0)),
        "fp_44709d6fcb",
        "default",
        ANSWER,
        List.of(new Citation("c1", "kb://handbook"), new Citation("7", null)),
        new Meta(
            "openai",
            REQUEST_ID,
            Map.of("email", 1),
            new RiskFlag(0.35, List.of("instruction_to_assistant", "hidden_text"), 14),
            "chatcmpl-upstream-1",
            "gpt-4o-mini-2024-07-18"));
  }

  public static ReplyEnvelope completedReply() {
    return new ReplyEnvelope(
        ReplyEnvelope.VERSION,
        REQUEST_ID,
        TENANT,
        Outcome.COMPLETED,
        200,
        completion(),
        null,
        Map.of("email", 1, "card_number", 2),
        Map.of("authenticate", 0.4, "policy", 0.1, "provider", 812.5),
        null,
        "batch-2024-06",
        "line-17",
        NONCE);
  }

  public static ReplyEnvelope deniedReply() {
    return new ReplyEnvelope(
        ReplyEnvelope.VERSION,
        REQUEST_ID,
        TENANT,
        Outcome.DENIED,
        403,
        null,
        ErrorCode.POLICY_DENIED
            .error(
                "the request was denied by policy",
                null,
                List.of("model gpt-4o is not allowed for tenant", "outside business hours"))
            .withRequestId(REQUEST_ID),
        null,
        Map.of("policy", 0.3),
        null,
        null,
        null);
  }

  /** A provider's 429 after the gateway's retries, with the provider's own figures. */
  public static ReplyEnvelope providerRateLimitedReply() {
    return new ReplyEnvelope(
            ReplyEnvelope.VERSION,
            REQUEST_ID,
            TENANT,
            Outcome.DENIED,
            429,
            null,
            ErrorCode.RATE_LIMITED
                .error("the provider is rate limiting", null, List.of())
                .withRequestId(REQUEST_ID),
            null,
            null,
            3,
            null,
            null,
            NONCE)
        .withUpstreamRateLimits(
            Map.of("limit-requests", "500", "remaining-requests", "0", "reset-requests", "1m4.2s"));
  }

  public static ReplyEnvelope rateLimitedReply() {
    return new ReplyEnvelope(
        ReplyEnvelope.VERSION,
        REQUEST_ID,
        TENANT,
        Outcome.DENIED,
        429,
        null,
        ErrorCode.RATE_LIMITED
            .error("rate limit exceeded", null, List.of("requests_per_minute"))
            .withRequestId(REQUEST_ID),
        null,
        null,
        7,
        null,
        null,
        null,
        new RateLimitState(60L, 0L, 6_500L, 40_000L, 12_000L, 30_000L, 6_500L),
        Map.of());
  }

  public static ReplyEnvelope failedReply() {
    return new ReplyEnvelope(
        ReplyEnvelope.VERSION,
        REQUEST_ID,
        TENANT,
        Outcome.FAILED,
        502,
        null,
        ErrorCode.PROVIDER_ERROR
            .error("the provider failed after retries")
            .withRequestId(REQUEST_ID),
        null,
        null,
        null,
        null,
        null);
  }

  public static ReplyEnvelope invalidRequestReply() {
    return new ReplyEnvelope(
        ReplyEnvelope.VERSION,
        REQUEST_ID,
        TENANT,
        Outcome.DENIED,
        400,
        null,
        ErrorCode.INVALID_REQUEST
            .error("only text content parts are supported", "messages[0].content[1].type", null)
            .withRequestId(REQUEST_ID),
        null,
        null,
        null,
        null,
        null);
  }

  /** The first record of a chain and the one after it. */
  public static List<AuditRecord> auditChain() {
    AuditRecord first =
        new AuditRecord(
            AuditRecord.VERSION,
            REQUEST_ID,
            TENANT,
            "alice",
            1_718_000_001_250L,
            "gpt-4o-mini",
            Source.HTTP,
            new AuditDecision(Outcome.COMPLETED, StageName.REDACT, null, "LOCAL", "sha256:ab12"),
            0.12,
            List.of("hidden_text"),
            14,
            new RateLimitRecord(
                RateLimitRecord.Decision.ALLOWED, "requests", 60L, 58L, 41_000L, null, 1_024L, 51L),
            "openai",
            2,
            812L,
            Usage.of(42, 9),
            Map.of("email", 1),
            HASH_1,
            "pipeline-0_3",
            ZERO_HASH,
            HASH_2);
    AuditRecord second =
        new AuditRecord(
            AuditRecord.VERSION,
            "0190b8e4-7000-7c2e-9a51-3d2f8e7b1c41",
            TENANT,
            "bob",
            1_718_000_002_000L,
            "gpt-4o",
            Source.BATCH,
            new AuditDecision(
                Outcome.DENIED,
                StageName.CONTEXT_FIREWALL,
                List.of("context_injection_risk"),
                "OPA",
                "sha256:cd34"),
            0.97,
            List.of("ignore_previous_instructions", "role_override"),
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            HASH_1,
            "pipeline-0_3",
            HASH_2,
            HASH_1);
    return List.of(first, second);
  }

  /** A message in OpenAI's array-of-parts form. */
  public static ChatMessage partsMessage() {
    return new ChatMessage(
        "user", List.of(ContentPart.text(PROMPT), ContentPart.text("second part")), false, null);
  }
}

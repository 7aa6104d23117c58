package dev.sluice.pipeline.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.config.ConfigException;
import dev.sluice.config.Env;
import dev.sluice.pipeline.StageRequests;
import dev.sluice.pipeline.stage.StageDecision;
import dev.sluice.policy.TenantPolicy;
import dev.sluice.schemas.StageName;
import dev.sluice.schemas.chat.ChatMessage;
import dev.sluice.schemas.chat.ContentPart;
import dev.sluice.schemas.chat.ToolCall;
import dev.sluice.schemas.envelope.VerifiedRequest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ValidateRequestTest {
  private static final ValidationLimits DEFAULTS =
      new ValidationLimits(
          Set.of("stub", "openai:gpt-4o-mini"), Map.of("fast", "openai:gpt-4o-mini"), 4, 20, 100);
  private static final ValidateRequest STAGE = new ValidateRequest(tenant -> DEFAULTS);

  private static VerifiedRequest request(String model, List<ChatMessage> messages, Integer max) {
    return StageRequests.verified("acme", "alice", StageRequests.chat(model, messages, max, null));
  }

  private static List<ChatMessage> user(String text) {
    return List.of(ChatMessage.of("user", text));
  }

  private static void assertDenied(StageDecision decision, String code, String param) {
    assertThat(decision).isInstanceOf(StageDecision.Deny.class);
    var refusal = ((StageDecision.Deny) decision).refusal();
    assertThat(refusal.code().code()).isEqualTo(code);
    assertThat(refusal.code().status()).isEqualTo(400);
    assertThat(refusal.error().param()).isEqualTo(param);
    assertThat(refusal.stage()).isEqualTo(StageName.VALIDATE);
  }

  @Test
  void passesARequestWithinEveryCap() {
    VerifiedRequest ok = request("stub", user("hello"), 100);
    assertThat(STAGE.apply(ok, 0)).isEqualTo(new StageDecision.Pass(ok));
  }

  @Test
  void refusesAModelOutsideTheAllowlist() {
    assertDenied(STAGE.apply(request("gpt-5", user("hi"), null), 0), "model_not_allowed", "model");
  }

  @Test
  void refusesEmptyAndTooManyMessages() {
    assertDenied(STAGE.apply(request("stub", List.of(), null), 0), "empty_messages", "messages");
    List<ChatMessage> five = new ArrayList<>(Collections.nCopies(5, ChatMessage.of("user", "x")));
    assertDenied(STAGE.apply(request("stub", five, null), 0), "too_many_messages", "messages");
  }

  @Test
  void countsEveryTextPartAgainstTheMessageCap() {
    ChatMessage parts =
        new ChatMessage(
            "user",
            List.of(ContentPart.text("0123456789"), ContentPart.text("0123456789x")),
            false,
            null);
    assertDenied(
        STAGE.apply(request("stub", List.of(ChatMessage.of("system", "s"), parts), null), 0),
        "message_too_long",
        "messages[1].content");
    assertThat(STAGE.apply(request("stub", user("x".repeat(20)), null), 0))
        .isInstanceOf(StageDecision.Pass.class);
  }

  @Test
  void countsToolCallArgumentsAgainstTheMessageCap() {
    ChatMessage calls =
        ChatMessage.assistant(
            "0123456789", List.of(ToolCall.function("c1", "f", "{\"a\":\"0123456\"}")));
    assertDenied(
        STAGE.apply(request("stub", List.of(ChatMessage.of("user", "q"), calls), null), 0),
        "message_too_long",
        "messages[1].content");
  }

  @Test
  void acceptsTheFiveRolesAndRefusesOthers() {
    for (String role : List.of("system", "developer", "user", "assistant", "tool")) {
      assertThat(STAGE.apply(request("stub", List.of(ChatMessage.of(role, "x")), null), 0))
          .as(role)
          .isInstanceOf(StageDecision.Pass.class);
    }
    assertDenied(
        STAGE.apply(request("stub", List.of(ChatMessage.of("wizard", "x")), null), 0),
        "invalid_role",
        "messages[0].role");
  }

  @Test
  void refusesMaxTokensOverTheCap() {
    assertDenied(
        STAGE.apply(request("stub", user("x"), 101), 0), "max_tokens_too_large", "max_tokens");
  }

  @Test
  void appliesTheTenantsOwnLimits() {
    ValidationLimits generous = new ValidationLimits(Set.of("stub"), Map.of(), 64, 32_000, 8_192);
    ValidateRequest perTenant =
        new ValidateRequest(tenant -> tenant.equals("acme") ? generous : DEFAULTS);
    assertThat(perTenant.apply(request("stub", user("x"), 8_000), 0))
        .isInstanceOf(StageDecision.Pass.class);
  }

  @Test
  void readsItsDefaultsFromTheEnvironment() {
    ValidationLimits limits = ValidationLimits.from(Env.of(Map.of()));
    assertThat(limits.allowedModels()).containsExactly("stub");
    assertThat(limits.maxMessages()).isEqualTo(64);
    assertThat(limits.maxMessageChars()).isEqualTo(32_000);
    assertThat(limits.maxTokensCap()).isEqualTo(4_096);
    ValidationLimits custom =
        ValidationLimits.from(Env.of(Map.of("ALLOWED_MODELS", "stub, openai:gpt-4o-mini")));
    assertThat(custom.allowedModels()).containsExactlyInAnyOrder("stub", "openai:gpt-4o-mini");
    assertThatThrownBy(() -> ValidationLimits.from(Env.of(Map.of("MAX_MESSAGES", "0"))))
        .isInstanceOf(ConfigException.class)
        .hasMessage("MAX_MESSAGES must be >= 1");
  }

  @Test
  void resolvesAnAliasBeforeCheckingAndCallsTheResolvedModel() {
    StageDecision decision = STAGE.apply(request("fast", user("x"), null), 0);
    assertThat(decision).isInstanceOf(StageDecision.Pass.class);
    assertThat(((StageDecision.Pass) decision).request().request().model())
        .isEqualTo("openai:gpt-4o-mini");
  }

  @Test
  void aTenantPolicyNarrowsTheGatewayAllowlistAndOverridesCaps() {
    TenantPolicy policy =
        new TenantPolicy(
            Optional.of(Set.of("stub", "anthropic:claude")),
            Map.of("cheap", "stub"),
            Map.of(),
            Optional.empty(),
            null,
            null,
            50,
            null,
            null,
            null,
            null,
            null,
            List.of());
    ValidationLimits limits = DEFAULTS.forTenant(policy);
    assertThat(limits.allowedModels()).containsExactly("stub");
    assertThat(limits.resolve("cheap")).isEqualTo("stub");
    assertThat(limits.maxTokensCap()).isEqualTo(50);
    assertThat(limits.maxMessages()).isEqualTo(4);
  }
}

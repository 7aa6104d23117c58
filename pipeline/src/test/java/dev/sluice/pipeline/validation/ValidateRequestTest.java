package dev.sluice.pipeline.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.sluice.config.ConfigException;
import dev.sluice.config.Env;
import dev.sluice.pipeline.StageRequests;
import dev.sluice.pipeline.stage.StageDecision;
import dev.sluice.policy.EnabledModels;
import dev.sluice.policy.ModelAccess;
import dev.sluice.policy.PolicyBundle;
import dev.sluice.policy.TenantPolicy;
import dev.sluice.policy.TenantRateLimits;
import dev.sluice.schemas.Json;
import dev.sluice.schemas.StageName;
import dev.sluice.schemas.chat.ChatMessage;
import dev.sluice.schemas.chat.ChatRequest;
import dev.sluice.schemas.chat.ContentPart;
import dev.sluice.schemas.chat.FunctionDefinition;
import dev.sluice.schemas.chat.RagChunk;
import dev.sluice.schemas.chat.RagContext;
import dev.sluice.schemas.chat.Tool;
import dev.sluice.schemas.chat.ToolCall;
import dev.sluice.schemas.envelope.VerifiedRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ValidateRequestTest {
  @TempDir static Path bundleDir;

  private static final ValidationLimits DEFAULTS = new ValidationLimits(4, 20, 100);
  private static ModelAccess models;
  private static ValidateRequest stage;

  /** The gateway enables stub and gpt-4o-mini; acme's policy narrows that to the stub. */
  @BeforeAll
  static void bundle() throws Exception {
    Files.writeString(
        bundleDir.resolve("default.yaml"), "models:\n  aliases: {fast: openai:gpt-4o-mini}\n");
    Files.createDirectories(bundleDir.resolve("tenants"));
    Files.writeString(bundleDir.resolve("tenants/acme.yaml"), "models:\n  allowed: [stub]\n");
    models =
        new ModelAccess(
            new EnabledModels(Set.of("stub", "openai:gpt-4o-mini")), PolicyBundle.load(bundleDir));
    stage = new ValidateRequest(models, tenant -> DEFAULTS);
  }

  private static VerifiedRequest request(String model, List<ChatMessage> messages, Integer max) {
    return request("globex", model, messages, max);
  }

  private static VerifiedRequest request(
      String tenant, String model, List<ChatMessage> messages, Integer max) {
    return StageRequests.verified(tenant, "alice", StageRequests.chat(model, messages, max, null));
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
    assertThat(stage.apply(ok, 0)).isEqualTo(new StageDecision.Pass(ok));
  }

  @Test
  void refusesAModelTheGatewayDoesNotEnableWithoutNamingItsConfiguration() {
    for (String tenant : List.of("globex", "acme")) {
      StageDecision decision = stage.apply(request(tenant, "gpt-5", user("hi"), null), 0);
      assertDenied(decision, "model_not_allowed", "model");
      assertThat(message(decision))
          .as(tenant)
          .startsWith("this model is not enabled on this gateway")
          .doesNotContain("ALLOWED_MODELS");
    }
  }

  @Test
  void refusesAModelTheTenantsPolicyDoesNotAllow() {
    for (String model : List.of("openai:gpt-4o-mini", "fast")) {
      StageDecision decision = stage.apply(request("acme", model, user("hi"), null), 0);
      assertDenied(decision, "model_not_allowed", "model");
      assertThat(message(decision))
          .as(model)
          .startsWith("this tenant's policy does not allow this model")
          .doesNotContain("models.allowed");
      assertThat(stage.apply(request("globex", model, user("hi"), null), 0))
          .as("globex, whose policy lists no models")
          .isInstanceOf(StageDecision.Pass.class);
    }
  }

  @Test
  void aResolvedNameKeepsTheNameTheCallerSentForTheAnswer() {
    StageDecision decision = stage.apply(request("globex", "fast", user("hi"), null), 0);
    VerifiedRequest resolved = ((StageDecision.Pass) decision).request();
    assertThat(resolved.request().model()).isEqualTo("openai:gpt-4o-mini");
    assertThat(resolved.callerModel()).isEqualTo("fast");

    VerifiedRequest asSent = request("globex", "stub", user("hi"), null);
    assertThat(((StageDecision.Pass) stage.apply(asSent, 0)).request().callerModel())
        .isEqualTo("stub");
  }

  private static String message(StageDecision decision) {
    return ((StageDecision.Deny) decision).refusal().error().message();
  }

  @Test
  void refusesEmptyAndTooManyMessages() {
    assertDenied(stage.apply(request("stub", List.of(), null), 0), "empty_messages", "messages");
    List<ChatMessage> five = new ArrayList<>(Collections.nCopies(5, ChatMessage.of("user", "x")));
    assertDenied(stage.apply(request("stub", five, null), 0), "too_many_messages", "messages");
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
        stage.apply(request("stub", List.of(ChatMessage.of("system", "s"), parts), null), 0),
        "message_too_long",
        "messages[1].content");
    assertThat(stage.apply(request("stub", user("x".repeat(20)), null), 0))
        .isInstanceOf(StageDecision.Pass.class);
  }

  @Test
  void countsToolCallArgumentsAgainstTheMessageCap() {
    ChatMessage calls =
        ChatMessage.assistant(
            "0123456789", List.of(ToolCall.function("c1", "f", "{\"a\":\"0123456\"}")));
    assertDenied(
        stage.apply(request("stub", List.of(ChatMessage.of("user", "q"), calls), null), 0),
        "message_too_long",
        "messages[1].content");
  }

  @Test
  void countsTheNameToolCallIdsAndTheAnsweredCallAgainstTheMessageCap() {
    ChatMessage named = new ChatMessage("user", List.of(ContentPart.text("0123456789")), true, "n");
    assertThat(stage.apply(request("stub", List.of(named), null), 0))
        .isInstanceOf(StageDecision.Pass.class);
    ChatMessage longName =
        new ChatMessage("user", List.of(ContentPart.text("0123456789")), true, "n".repeat(11));
    assertDenied(
        stage.apply(request("stub", List.of(longName), null), 0),
        "message_too_long",
        "messages[0].content");

    // id (10) + name (9) + arguments (2): 21 characters with no text at all.
    ChatMessage call =
        ChatMessage.assistant(
            null, List.of(ToolCall.function("c".repeat(10), "f".repeat(9), "{}")));
    assertDenied(
        stage.apply(request("stub", List.of(ChatMessage.of("user", "q"), call), null), 0),
        "message_too_long",
        "messages[1].content");

    ChatMessage answer =
        new ChatMessage(
            "tool", List.of(ContentPart.text("0123456789")), true, null, List.of(), "t".repeat(11));
    assertDenied(
        stage.apply(request("stub", List.of(answer), null), 0),
        "message_too_long",
        "messages[0].content");
  }

  private static VerifiedRequest withTools(List<Tool> tools) {
    ChatRequest chat =
        new ChatRequest("stub", user("q"), null, null, null, null, null, null, tools, null, null);
    return StageRequests.verified("globex", "alice", chat);
  }

  private static Tool tool(String name, String description, String parameters) {
    try {
      return Tool.function(
          new FunctionDefinition(
              name,
              description,
              parameters == null ? null : Json.mapper().readTree(parameters),
              null));
    } catch (JsonProcessingException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void countsTheToolDefinitionsTogetherAgainstTheMessageCap() {
    // Two tools of 10 characters each (name + description): 20, the cap.
    assertThat(
            stage.apply(
                withTools(List.of(tool("f", "123456789", null), tool("g", "123456789", null))), 0))
        .isInstanceOf(StageDecision.Pass.class);
    assertDenied(
        stage.apply(
            withTools(List.of(tool("f", "123456789", null), tool("g", "1234567890", null))), 0),
        "message_too_long",
        "tools");
    // The parameters' schema counts as the compact JSON it is passed on as: {"type":"object"}.
    assertThat(stage.apply(withTools(List.of(tool("abc", null, "{\"type\":\"object\"}"))), 0))
        .isInstanceOf(StageDecision.Pass.class);
    assertDenied(
        stage.apply(withTools(List.of(tool("abcd", null, "{\"type\": \"object\"}"))), 0),
        "message_too_long",
        "tools");
  }

  @Test
  void holdsEachContextChunkToTheMessageCap() {
    RagContext within =
        new RagContext(
            "kb://a",
            List.of(
                // id, content and source together: 20, the cap.
                new RagChunk("c1", "012345678901234567", null),
                new RagChunk("c2", "01234567890123456", "s")));
    VerifiedRequest ok =
        StageRequests.verified(
            "globex", "alice", StageRequests.chat("stub", user("q"), null, within));
    assertThat(stage.apply(ok, 0)).isInstanceOf(StageDecision.Pass.class);

    RagContext over =
        new RagContext(
            "kb://a",
            List.of(new RagChunk("c1", "x", null), new RagChunk("c2", "012345678901234567", "kb")));
    VerifiedRequest tooLong =
        StageRequests.verified(
            "globex", "alice", StageRequests.chat("stub", user("q"), null, over));
    assertDenied(stage.apply(tooLong, 0), "message_too_long", "context.chunks[1]");
  }

  @Test
  void acceptsTheFiveRolesAndRefusesOthers() {
    for (String role : List.of("system", "developer", "user", "assistant", "tool")) {
      assertThat(stage.apply(request("stub", List.of(ChatMessage.of(role, "x")), null), 0))
          .as(role)
          .isInstanceOf(StageDecision.Pass.class);
    }
    assertDenied(
        stage.apply(request("stub", List.of(ChatMessage.of("wizard", "x")), null), 0),
        "invalid_role",
        "messages[0].role");
  }

  @Test
  void refusesMaxTokensOverTheCap() {
    assertDenied(
        stage.apply(request("stub", user("x"), 101), 0), "max_tokens_too_large", "max_tokens");
  }

  @Test
  void appliesTheTenantsOwnLimits() {
    ValidationLimits generous = new ValidationLimits(64, 32_000, 8_192);
    ValidateRequest perTenant =
        new ValidateRequest(models, tenant -> tenant.equals("acme") ? generous : DEFAULTS);
    assertThat(perTenant.apply(request("acme", "stub", user("x"), 8_000), 0))
        .isInstanceOf(StageDecision.Pass.class);
    assertDenied(
        perTenant.apply(request("globex", "stub", user("x"), 8_000), 0),
        "max_tokens_too_large",
        "max_tokens");
  }

  @Test
  void readsItsDefaultsFromTheEnvironment() {
    ValidationLimits limits = ValidationLimits.from(Env.of(Map.of()));
    assertThat(limits.maxMessages()).isEqualTo(64);
    assertThat(limits.maxMessageChars()).isEqualTo(32_000);
    assertThat(limits.maxTokensCap()).isEqualTo(4_096);
    for (String name : List.of("MAX_MESSAGES", "MAX_MESSAGE_CHARS", "MAX_TOKENS_CAP")) {
      assertThatThrownBy(() -> ValidationLimits.from(Env.of(Map.of(name, "0"))))
          .isInstanceOf(ConfigException.class)
          .hasMessage(name + " must be >= 1");
    }
  }

  @Test
  void resolvesAnAliasBeforeCheckingAndCallsTheResolvedModel() {
    StageDecision decision = stage.apply(request("fast", user("x"), null), 0);
    assertThat(decision).isInstanceOf(StageDecision.Pass.class);
    assertThat(((StageDecision.Pass) decision).request().request().model())
        .isEqualTo("openai:gpt-4o-mini");
  }

  @Test
  void aTenantPolicyOverridesSomeCaps() {
    TenantPolicy policy =
        new TenantPolicy(
            Optional.empty(),
            Map.of(),
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
            null,
            null,
            List.of(),
            TenantRateLimits.NONE,
            null,
            null);
    ValidationLimits limits = DEFAULTS.forTenant(policy);
    assertThat(limits.maxTokensCap()).isEqualTo(50);
    assertThat(limits.maxMessages()).isEqualTo(4);
    assertThat(limits.maxMessageChars()).isEqualTo(20);
  }
}

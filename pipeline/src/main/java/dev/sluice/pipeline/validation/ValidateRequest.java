package dev.sluice.pipeline.validation;

import dev.sluice.pipeline.stage.Refusal;
import dev.sluice.pipeline.stage.RequestStage;
import dev.sluice.pipeline.stage.StageDecision;
import dev.sluice.schemas.StageName;
import dev.sluice.schemas.chat.ChatMessage;
import dev.sluice.schemas.chat.ChatRequest;
import dev.sluice.schemas.envelope.VerifiedRequest;
import dev.sluice.schemas.reply.ErrorCode;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * Request validation: the model must be allowed, and the request within the caps of the tenant's
 * {@link ValidationLimits}. Messages are refused by index, never quoted.
 */
public final class ValidateRequest implements RequestStage {
  public static final StageName STAGE = StageName.VALIDATE;
  static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool");

  private final Function<String, ValidationLimits> limitsForTenant;

  /**
   * @param limitsForTenant the limits in force for a tenant (defaults, or its policy's overrides)
   */
  public ValidateRequest(Function<String, ValidationLimits> limitsForTenant) {
    this.limitsForTenant = Objects.requireNonNull(limitsForTenant, "limitsForTenant");
  }

  @Override
  public StageName name() {
    return STAGE;
  }

  @Override
  public StageDecision apply(VerifiedRequest verified, long nowMs) {
    ValidationLimits limits = limitsForTenant.apply(verified.principal().tenant());
    // An alias resolves first; the resolved name is what must be allowed and what is called.
    String model = limits.resolve(verified.request().model());
    if (!model.equals(verified.request().model())) {
      verified = verified.withRequest(verified.request().withModel(model));
    }
    ChatRequest request = verified.request();
    if (!limits.allowedModels().contains(model)) {
      return deny(
          ErrorCode.MODEL_NOT_ALLOWED,
          "the model is not allowed; GET /v1/models lists the models you may use",
          "model");
    }
    List<ChatMessage> messages = request.messages();
    if (messages.isEmpty()) {
      return deny(ErrorCode.EMPTY_MESSAGES, "messages must not be empty", "messages");
    }
    if (messages.size() > limits.maxMessages()) {
      return deny(
          ErrorCode.TOO_MANY_MESSAGES,
          "at most " + limits.maxMessages() + " messages are allowed",
          "messages");
    }
    for (int i = 0; i < messages.size(); i++) {
      ChatMessage message = messages.get(i);
      if (!ROLES.contains(message.role())) {
        return deny(
            ErrorCode.INVALID_ROLE,
            "role must be one of system, developer, user, assistant, tool",
            "messages[" + i + "].role");
      }
      if (textLength(message) > limits.maxMessageChars()) {
        return deny(
            ErrorCode.MESSAGE_TOO_LONG,
            "a message may have at most " + limits.maxMessageChars() + " characters",
            "messages[" + i + "].content");
      }
    }
    if (request.maxTokens() != null && request.maxTokens() > limits.maxTokensCap()) {
      return deny(
          ErrorCode.MAX_TOKENS_TOO_LARGE,
          "max_tokens may be at most " + limits.maxTokensCap(),
          "max_tokens");
    }
    return new StageDecision.Pass(verified);
  }

  /** Text and tool-call arguments: both reach the provider, so both count against the cap. */
  private static int textLength(ChatMessage message) {
    int length = 0;
    for (var part : message.content()) {
      length += part.text().length();
    }
    for (var call : message.toolCalls()) {
      length += call.function().arguments().length();
    }
    return length;
  }

  private static StageDecision deny(ErrorCode code, String message, String param) {
    return new StageDecision.Deny(Refusal.of(STAGE, code, message, param, List.of(code.code())));
  }
}

package dev.sluice.pipeline.validation;

import dev.sluice.egress.anthropic.AnthropicFields;
import dev.sluice.egress.anthropic.AnthropicSettings;
import dev.sluice.pipeline.stage.Refusal;
import dev.sluice.pipeline.stage.RequestStage;
import dev.sluice.pipeline.stage.StageDecision;
import dev.sluice.policy.ModelAccess;
import dev.sluice.policy.ModelDecision;
import dev.sluice.schemas.StageName;
import dev.sluice.schemas.chat.ChatMessage;
import dev.sluice.schemas.chat.ChatRequest;
import dev.sluice.schemas.chat.CompletionOptions;
import dev.sluice.schemas.chat.ContentPart;
import dev.sluice.schemas.chat.FunctionDefinition;
import dev.sluice.schemas.chat.RagChunk;
import dev.sluice.schemas.chat.RagContext;
import dev.sluice.schemas.chat.Tool;
import dev.sluice.schemas.chat.ToolCall;
import dev.sluice.schemas.envelope.VerifiedRequest;
import dev.sluice.schemas.reply.ErrorCode;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * Request validation: the tenant must be allowed the model ({@link ModelAccess} decides, after
 * aliases), and the request must be within the caps of the tenant's {@link ValidationLimits}.
 * Messages are refused by index, never quoted.
 *
 * <p>Every string the provider will see counts against the character cap, not only the messages'
 * text: a message's name, tool calls and the id it answers count with it, each context chunk is
 * held to the cap on its own, and the tool definitions (names, descriptions, parameter schemas) to
 * it together. Otherwise a caller could carry any amount of text past the cap in a field nobody
 * counts. The fixed bounds on single fields ({@code stop}, {@code user}, ids) are the shape check's
 * ({@link dev.sluice.schemas.chat.ChatRequests}).
 */
public final class ValidateRequest implements RequestStage {
  public static final StageName STAGE = StageName.VALIDATE;
  static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool");
  // Which side refused is the caller's to know; the configuration behind it is not.
  static final String NOT_ENABLED =
      "this model is not enabled on this gateway; GET /v1/models lists the models you may use";
  static final String NOT_ALLOWED_FOR_TENANT =
      "this tenant's policy does not allow this model; GET /v1/models lists the models you may"
          + " use";

  static final String PROVIDER_STORAGE_DENIED =
      "this tenant's policy keeps requests out of the provider's storage: store and metadata are"
          + " not allowed";

  private final ModelAccess models;
  private final Function<String, ValidationLimits> limitsForTenant;

  /**
   * @param models which models each tenant may use
   * @param limitsForTenant the caps in force for a tenant (defaults, or its policy's overrides)
   */
  public ValidateRequest(ModelAccess models, Function<String, ValidationLimits> limitsForTenant) {
    this.models = Objects.requireNonNull(models, "models");
    this.limitsForTenant = Objects.requireNonNull(limitsForTenant, "limitsForTenant");
  }

  @Override
  public StageName name() {
    return STAGE;
  }

  @Override
  public StageDecision apply(VerifiedRequest verified, long nowMs) {
    String tenant = verified.principal().tenant();
    // An alias resolves first; the resolved name is what must be allowed and what is called.
    ModelDecision decision = models.decide(tenant, verified.request().model());
    if (decision instanceof ModelDecision.Refused refused) {
      return deny(
          ErrorCode.MODEL_NOT_ALLOWED,
          refused.by() == ModelDecision.RefusedBy.GATEWAY ? NOT_ENABLED : NOT_ALLOWED_FOR_TENANT,
          "model");
    }
    if (!decision.model().equals(decision.requested())) {
      verified =
          verified
              .withRequest(verified.request().withModel(decision.model()))
              .withRequestedModel(decision.requested());
    }
    ChatRequest request = verified.request();
    ValidationLimits limits = limitsForTenant.apply(tenant);
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
      if (charsOf(message) > limits.maxMessageChars()) {
        return deny(
            ErrorCode.MESSAGE_TOO_LONG,
            "a message may have at most "
                + limits.maxMessageChars()
                + " characters, its name and tool calls included",
            "messages[" + i + "].content");
      }
    }
    if (request.tools() != null && charsOf(request.tools()) > limits.maxMessageChars()) {
      return deny(
          ErrorCode.MESSAGE_TOO_LONG,
          "the tool definitions may have at most "
              + limits.maxMessageChars()
              + " characters together (names, descriptions and parameters)",
          "tools");
    }
    RagContext context = request.context();
    if (context != null) {
      List<RagChunk> chunks = context.chunks();
      for (int i = 0; i < chunks.size(); i++) {
        if (charsOf(chunks.get(i)) > limits.maxMessageChars()) {
          return deny(
              ErrorCode.MESSAGE_TOO_LONG,
              "a context chunk may have at most " + limits.maxMessageChars() + " characters",
              "context.chunks[" + i + "]");
        }
      }
    }
    CompletionOptions options = request.options();
    if (request.maxTokens() != null && request.maxTokens() > limits.maxTokensCap()) {
      String field = options.capField().field();
      return deny(
          ErrorCode.MAX_TOKENS_TOO_LARGE,
          field + " may be at most " + limits.maxTokensCap(),
          field);
    }
    Map<String, String> optionTexts = options.texts();
    if (charsOfTexts(optionTexts.values()) > limits.maxMessageChars()) {
      return deny(
          ErrorCode.MESSAGE_TOO_LONG,
          "the prediction and the response format's schema may have at most "
              + limits.maxMessageChars()
              + " characters together",
          optionTexts.keySet().iterator().next());
    }
    if (!options.unknownFields().isEmpty() && !limits.passthroughUnknownFields()) {
      // The name is safe to echo: the shape check admits only parameter-like names.
      String field = options.unknownFields().keySet().iterator().next();
      return deny(
          ErrorCode.UNSUPPORTED_PARAMETER,
          "Unrecognized request argument supplied: "
              + field
              + " (this tenant's policy does not pass unknown fields to the provider)",
          field);
    }
    String unmapped = unmappedOption(request.model(), request);
    if (unmapped != null) {
      return deny(
          ErrorCode.UNSUPPORTED_PARAMETER,
          unmapped + " is not supported for this model's provider (docs/providers.md)",
          unmapped);
    }
    if (!limits.providerStorage()) {
      if (Boolean.TRUE.equals(options.store())) {
        return deny(ErrorCode.POLICY_DENIED, PROVIDER_STORAGE_DENIED, "store");
      }
      if (options.metadata() != null) {
        return deny(ErrorCode.POLICY_DENIED, PROVIDER_STORAGE_DENIED, "metadata");
      }
    }
    return new StageDecision.Pass(verified);
  }

  /**
   * The first option the resolved model's provider would not receive, or null: Anthropic's Messages
   * API maps two of OpenAI's options and has no counterpart for the rest (docs/providers.md has the
   * table); unknown fields the policy passes through go to it as they are.
   */
  private static String unmappedOption(String model, ChatRequest request) {
    if (!ModelAccess.providerOf(model).equals(AnthropicSettings.NAME)) {
      return null;
    }
    return AnthropicFields.unsupportedField(request);
  }

  /** Text, name, tool calls and the call answered: all of it reaches the provider. */
  private static long charsOf(ChatMessage message) {
    long length = lengthOf(message.name()) + lengthOf(message.toolCallId());
    for (ContentPart part : message.content()) {
      length += part.text().length();
    }
    for (ToolCall call : message.toolCalls()) {
      length +=
          call.id().length()
              + call.function().name().length()
              + call.function().arguments().length();
    }
    return length;
  }

  /** What the provider is told about the tools: names, descriptions and parameter schemas. */
  private static long charsOf(List<Tool> tools) {
    long length = 0;
    for (Tool tool : tools) {
      FunctionDefinition function = tool.function();
      length += function.name().length() + lengthOf(function.description());
      if (function.parameters() != null) {
        // As compact JSON, the form it is passed on in.
        length += function.parameters().toString().length();
      }
    }
    return length;
  }

  private static long charsOfTexts(Collection<String> texts) {
    long length = 0;
    for (String text : texts) {
      length += text.length();
    }
    return length;
  }

  private static long charsOf(RagChunk chunk) {
    return (long) chunk.id().length() + chunk.content().length() + lengthOf(chunk.source());
  }

  private static int lengthOf(String value) {
    return value == null ? 0 : value.length();
  }

  private static StageDecision deny(ErrorCode code, String message, String param) {
    return new StageDecision.Deny(Refusal.of(STAGE, code, message, param, List.of(code.code())));
  }
}

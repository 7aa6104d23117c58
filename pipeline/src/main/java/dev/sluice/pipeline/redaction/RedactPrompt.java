package dev.sluice.pipeline.redaction;

import dev.sluice.pipeline.stage.RequestStage;
import dev.sluice.pipeline.stage.StageDecision;
import dev.sluice.schemas.StageName;
import dev.sluice.schemas.chat.ChatMessage;
import dev.sluice.schemas.chat.ChatRequest;
import dev.sluice.schemas.envelope.VerifiedRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * With {@code REDACT_PROMPTS}, cleans the messages with the same redactor before they leave for the
 * provider, so PII and secrets never reach it. Tenants for which it is off pass unchanged.
 */
public final class RedactPrompt implements RequestStage {
  public static final StageName STAGE = StageName.REDACT_PROMPT;

  private final Function<String, Redactor> redactorForTenant;

  /**
   * @param redactorForTenant the tenant's redactor, or null when the tenant's prompts are sent as
   *     they are
   */
  public RedactPrompt(Function<String, Redactor> redactorForTenant) {
    this.redactorForTenant = Objects.requireNonNull(redactorForTenant, "redactorForTenant");
  }

  @Override
  public StageName name() {
    return STAGE;
  }

  @Override
  public StageDecision apply(VerifiedRequest request, long nowMs) {
    Redactor redactor = redactorForTenant.apply(request.principal().tenant());
    if (redactor == null) {
      return new StageDecision.Pass(request);
    }
    ChatRequest chat = request.request();
    Map<String, Integer> counts = new HashMap<>();
    List<ChatMessage> messages = new ArrayList<>(chat.messages().size());
    for (ChatMessage message : chat.messages()) {
      messages.add(RedactAnswer.redact(redactor, message, counts));
    }
    if (counts.isEmpty()) {
      return new StageDecision.Pass(request);
    }
    return new StageDecision.Pass(request.withRequest(chat.withMessages(messages)));
  }
}

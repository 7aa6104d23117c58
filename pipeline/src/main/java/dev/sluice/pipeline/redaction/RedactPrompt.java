package dev.sluice.pipeline.redaction;

import dev.sluice.pipeline.stage.RequestStage;
import dev.sluice.pipeline.stage.StageDecision;
import dev.sluice.schemas.StageName;
import dev.sluice.schemas.chat.ChatMessage;
import dev.sluice.schemas.chat.ChatRequest;
import dev.sluice.schemas.chat.RagChunk;
import dev.sluice.schemas.chat.RagContext;
import dev.sluice.schemas.envelope.VerifiedRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * With {@code REDACT_PROMPTS}, cleans the messages and the retrieval context's chunks (their text,
 * ids and sources) with the same redactor before they leave for the provider, so PII and secrets
 * never reach it. The documents message the provider gets is built from the cleaned chunks after
 * this stage, and the citations list them as cleaned: what was sent. Tenants for which it is off
 * pass unchanged.
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
    RagContext context = chat.context() == null ? null : redact(redactor, chat.context(), counts);
    if (counts.isEmpty()) {
      return new StageDecision.Pass(request);
    }
    return new StageDecision.Pass(
        request.withRequest(chat.withMessages(messages).withContext(context)));
  }

  private static RagContext redact(
      Redactor redactor, RagContext context, Map<String, Integer> counts) {
    List<RagChunk> chunks = new ArrayList<>(context.chunks().size());
    for (RagChunk chunk : context.chunks()) {
      chunks.add(
          new RagChunk(
              redact(redactor, chunk.id(), counts),
              redact(redactor, chunk.content(), counts),
              redact(redactor, chunk.source(), counts)));
    }
    return new RagContext(redact(redactor, context.source(), counts), chunks);
  }

  private static String redact(Redactor redactor, String text, Map<String, Integer> counts) {
    if (text == null) {
      return null;
    }
    Redaction redaction = redactor.redact(text);
    redaction.report().counts().forEach((type, n) -> counts.merge(type, n, Integer::sum));
    return redaction.text();
  }
}

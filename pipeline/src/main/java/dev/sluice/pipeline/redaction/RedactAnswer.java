package dev.sluice.pipeline.redaction;

import dev.sluice.pipeline.stage.AnswerStage;
import dev.sluice.schemas.StageName;
import dev.sluice.schemas.chat.ChatMessage;
import dev.sluice.schemas.chat.ContentPart;
import dev.sluice.schemas.chat.ToolCall;
import dev.sluice.schemas.envelope.VerifiedRequest;
import dev.sluice.schemas.reply.ChatCompletion;
import dev.sluice.schemas.reply.Choice;
import dev.sluice.schemas.reply.Meta;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Redacts PII and secrets from every answer before it reaches a reply topic: every text part of
 * every choice, the arguments of every tool call, and the gateway's {@code answer}. The counts by
 * type go into {@code meta.redactions} (and from there into the reply and the audit record).
 */
public final class RedactAnswer implements AnswerStage {
  public static final StageName STAGE = StageName.REDACT;

  private final Function<String, Redactor> redactorForTenant;

  /**
   * @param redactorForTenant the redactor with the types a tenant has switched on
   */
  public RedactAnswer(Function<String, Redactor> redactorForTenant) {
    this.redactorForTenant = Objects.requireNonNull(redactorForTenant, "redactorForTenant");
  }

  @Override
  public StageName name() {
    return STAGE;
  }

  @Override
  public ChatCompletion apply(VerifiedRequest request, ChatCompletion completion) {
    Redactor redactor = redactorForTenant.apply(request.principal().tenant());
    Map<String, Integer> counts = new HashMap<>();
    List<Choice> choices = new ArrayList<>(completion.choices().size());
    for (Choice choice : completion.choices()) {
      choices.add(
          new Choice(
              choice.index(), redact(redactor, choice.message(), counts), choice.finishReason()));
    }
    String answer = completion.answer();
    if (answer != null) {
      // The answer is the first choice's text: the same text, counted once.
      answer = redactor.redact(answer).text();
    }
    Meta meta = completion.meta();
    Meta redactedMeta =
        new Meta(
            meta == null ? null : meta.provider(),
            meta == null ? request.requestId() : meta.requestId(),
            Map.copyOf(counts),
            meta == null ? null : meta.firewall(),
            meta == null ? null : meta.providerId(),
            meta == null ? null : meta.providerModel());
    return new ChatCompletion(
        completion.id(),
        completion.object(),
        completion.created(),
        completion.model(),
        choices,
        completion.usage(),
        completion.systemFingerprint(),
        completion.serviceTier(),
        answer,
        completion.citations(),
        redactedMeta);
  }

  /**
   * The message with every text part and every tool call's arguments redacted; counts are added to
   * {@code counts}.
   */
  static ChatMessage redact(Redactor redactor, ChatMessage message, Map<String, Integer> counts) {
    List<ContentPart> parts = new ArrayList<>(message.content().size());
    boolean changed = false;
    for (ContentPart part : message.content()) {
      Redaction redaction = redactor.redact(part.text());
      redaction.report().counts().forEach((type, n) -> counts.merge(type, n, Integer::sum));
      changed |= redaction.changed();
      parts.add(new ContentPart(part.type(), redaction.text()));
    }
    List<ToolCall> calls = new ArrayList<>(message.toolCalls().size());
    for (ToolCall call : message.toolCalls()) {
      String arguments = ToolArguments.redact(redactor, call.function().arguments(), counts);
      changed |= !arguments.equals(call.function().arguments());
      calls.add(call.withArguments(arguments));
    }
    return changed
        ? new ChatMessage(
            message.role(),
            parts,
            message.stringForm(),
            message.name(),
            calls,
            message.toolCallId())
        : message;
  }
}

package dev.sluice.pipeline.redaction;

import dev.sluice.pipeline.stage.AnswerStage;
import dev.sluice.schemas.StageName;
import dev.sluice.schemas.chat.Annotation;
import dev.sluice.schemas.chat.Annotation.UrlCitation;
import dev.sluice.schemas.chat.ChatMessage;
import dev.sluice.schemas.chat.ContentPart;
import dev.sluice.schemas.chat.ToolCall;
import dev.sluice.schemas.envelope.VerifiedRequest;
import dev.sluice.schemas.reply.ChatCompletion;
import dev.sluice.schemas.reply.Choice;
import dev.sluice.schemas.reply.ChoiceLogprobs;
import dev.sluice.schemas.reply.Meta;
import dev.sluice.schemas.reply.TokenLogprob;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Redacts PII and secrets from every answer before it reaches a reply topic: every text part of
 * every choice (value by value when the request asked for JSON, so the answer stays JSON), its
 * refusal, the pages its annotations cite, the arguments of every tool call, and the gateway's
 * {@code answer}; log probabilities are masked where the text was redacted ({@link LogprobMask})
 * and annotation spans follow the text. The counts by type go into {@code meta.redactions} (and
 * from there into the reply and the audit record).
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
    boolean json = request.request().options().wantsJson();
    Map<String, Integer> counts = new HashMap<>();
    List<Choice> choices = new ArrayList<>(completion.choices().size());
    for (Choice choice : completion.choices()) {
      choices.add(redact(redactor, choice, json, counts));
    }
    String answer = completion.answer();
    if (answer != null) {
      // The answer is the first choice's text: the same text, counted once and redacted once.
      boolean firstText =
          !choices.isEmpty() && answer.equals(completion.choices().get(0).message().text());
      answer =
          firstText
              ? choices.get(0).message().text()
              : JsonRedaction.redactOrText(redactor, answer, new HashMap<>()).text();
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
   * A choice with its message redacted ({@link #redact(Redactor, ChatMessage, boolean, Map)}) and
   * its log probabilities masked where the content or the refusal was redacted.
   */
  static Choice redact(
      Redactor redactor, Choice choice, boolean json, Map<String, Integer> counts) {
    ChatMessage message = choice.message();
    Redacted redacted = redact(redactor, message, json, counts);
    ChoiceLogprobs logprobs = choice.logprobs();
    if (logprobs != null) {
      // Tokens are passed on only where they spell the text the answer shows (LogprobMask); an
      // answer has one text part, so content of several parts has no one text to match.
      List<TokenLogprob> content =
          message.content().size() > 1
              ? null
              : LogprobMask.mask(logprobs.content(), message.text(), redacted.content());
      List<TokenLogprob> refusal =
          LogprobMask.mask(logprobs.refusal(), message.refusal(), redacted.refusal());
      logprobs = new ChoiceLogprobs(content, refusal);
    }
    return new Choice(choice.index(), redacted.message(), choice.finishReason(), logprobs);
  }

  /**
   * A redacted message, and the redactions of its one text part and its refusal when it has them.
   */
  record Redacted(ChatMessage message, Redaction content, Redaction refusal) {}

  /**
   * The message with every text part, its refusal, its annotations' pages and every tool call's
   * arguments redacted; under JSON mode ({@code json}) the text value by value, so it stays JSON.
   * Counts are added to {@code counts}.
   */
  static Redacted redact(
      Redactor redactor, ChatMessage message, boolean json, Map<String, Integer> counts) {
    List<ContentPart> parts = new ArrayList<>(message.content().size());
    boolean changed = false;
    Redaction single = null;
    for (ContentPart part : message.content()) {
      Redaction redaction =
          json
              ? JsonRedaction.redactOrText(redactor, part.text(), counts)
              : redactor.redact(part.text(), counts);
      changed |= redaction.changed();
      parts.add(redaction.changed() ? new ContentPart(part.type(), redaction.text()) : part);
      single = message.content().size() == 1 ? redaction : null;
    }
    Redaction refusal =
        message.refusal() == null ? null : redactor.redact(message.refusal(), counts);
    changed |= refusal != null && refusal.changed();
    List<Annotation> annotations = new ArrayList<>(message.annotations().size());
    for (Annotation annotation : message.annotations()) {
      Annotation after = redact(redactor, annotation, single, counts);
      changed |= after != annotation;
      annotations.add(after);
    }
    List<ToolCall> calls = new ArrayList<>(message.toolCalls().size());
    for (ToolCall call : message.toolCalls()) {
      String arguments = ToolArguments.redact(redactor, call.function().arguments(), counts);
      changed |= !arguments.equals(call.function().arguments());
      calls.add(call.withArguments(arguments));
    }
    ChatMessage after =
        changed
            ? new ChatMessage(
                message.role(),
                parts,
                message.stringForm(),
                message.name(),
                calls,
                message.toolCallId(),
                refusal == null ? null : refusal.text(),
                annotations)
            : message;
    return new Redacted(after, single, refusal);
  }

  /**
   * A url citation with its page's address and title redacted, its span moved with the content's
   * redactions ({@code content}, null when the content was not one part) so that it still covers
   * the text it cited, a marker whole where it overlapped one.
   */
  private static Annotation redact(
      Redactor redactor, Annotation annotation, Redaction content, Map<String, Integer> counts) {
    UrlCitation citation = annotation.urlCitation();
    if (citation == null) {
      return annotation;
    }
    Redaction url = redactor.redact(citation.url(), counts);
    Redaction title = redactor.redact(citation.title(), counts);
    boolean moved = content != null && content.changed();
    if (!url.changed() && !title.changed() && !moved) {
      return annotation;
    }
    int start = moved ? content.map(citation.startIndex(), true) : citation.startIndex();
    int end = moved ? content.map(citation.endIndex(), false) : citation.endIndex();
    return new Annotation(
        annotation.type(), new UrlCitation(start, Math.max(start, end), url.text(), title.text()));
  }
}

package dev.sluice.pipeline.firewall.spotlight;

import dev.sluice.pipeline.chain.Exchange;
import dev.sluice.pipeline.chain.SyncStage;
import dev.sluice.pipeline.chain.Verdict;
import dev.sluice.pipeline.firewall.ContextFirewall;
import dev.sluice.pipeline.firewall.RequestCarriers;
import dev.sluice.pipeline.stage.Refusal;
import dev.sluice.pipeline.validation.ValidationLimits;
import dev.sluice.schemas.StageName;
import dev.sluice.schemas.chat.ChatMessage;
import dev.sluice.schemas.chat.ChatRequest;
import dev.sluice.schemas.chat.ContentPart;
import dev.sluice.schemas.chat.RagContext;
import dev.sluice.schemas.envelope.VerifiedRequest;
import dev.sluice.schemas.reply.ErrorCode;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The context firewall's second half: the admitted chunks become the spotlighted conversation the
 * provider is sent ({@link Spotlight}), kept in the exchange next to the request.
 *
 * <p>Why a stage of its own, right before the provider, rather than part of {@link
 * ContextFirewall}'s output: the documents must be built from the text prompt redaction left, and
 * redaction must see the plain text. Datamarking turns {@code 555 123 4567} into a string no
 * recogniser reads as a phone number, and a recogniser could cut through a marker; so the order is
 * firewall (scores and admits the chunks as the caller sent them), policy (reads their sources),
 * prompt redaction (cleans them), then this stage. Built once here, every provider adapter just
 * sends the messages it is given, and a call re-issued after a crash sends the same ones (they are
 * kept with the request in the in-flight store).
 *
 * <p>The provider's copy is also where hidden text goes: with the tenant's {@code
 * strip_hidden_text} (on by default) the invisible carriers ({@link RequestCarriers}) are removed
 * from every message and chunk before the conversation is built, for requests without context too.
 * The request keeps them: it is what the caller sent, which the audit log hashes; the citations
 * list the chunks as they were sent. The firewall has already flagged them, whether stripped or
 * not.
 *
 * <p>It carries the firewall's name: it is the same guardrail, its refusal is a firewall code, and
 * stage names are a contract of the audit log. The messages it builds count against the tenant's
 * validation caps (characters per message, number of messages), as the caller's own do.
 */
public final class SpotlightContext implements SyncStage {
  public static final StageName STAGE = StageName.CONTEXT_FIREWALL;

  private final Function<String, SpotlightMode> modeForTenant;
  private final Function<String, ValidationLimits> limitsForTenant;
  private final Supplier<String> boundaries;
  private final Predicate<String> stripsHiddenText;

  /** Strips hidden text for every tenant, as the gateway does by default. */
  public SpotlightContext(
      Function<String, SpotlightMode> modeForTenant,
      Function<String, ValidationLimits> limitsForTenant,
      Supplier<String> boundaries) {
    this(modeForTenant, limitsForTenant, boundaries, tenant -> true);
  }

  /**
   * @param modeForTenant the tenant's spotlighting mode (its policy's {@code firewall.spotlight})
   * @param limitsForTenant the caps in force for a tenant, as validation uses them
   * @param boundaries a fresh boundary per request ({@link Spotlight#randomBoundaries()})
   * @param stripsHiddenText whether a tenant's hidden text is stripped ({@code STRIP_HIDDEN_TEXT}
   *     under its policy's {@code firewall.strip_hidden_text})
   */
  public SpotlightContext(
      Function<String, SpotlightMode> modeForTenant,
      Function<String, ValidationLimits> limitsForTenant,
      Supplier<String> boundaries,
      Predicate<String> stripsHiddenText) {
    this.modeForTenant = Objects.requireNonNull(modeForTenant, "modeForTenant");
    this.limitsForTenant = Objects.requireNonNull(limitsForTenant, "limitsForTenant");
    this.boundaries = Objects.requireNonNull(boundaries, "boundaries");
    this.stripsHiddenText = Objects.requireNonNull(stripsHiddenText, "stripsHiddenText");
  }

  @Override
  public StageName name() {
    return STAGE;
  }

  @Override
  public Verdict run(Exchange exchange, long nowMs) {
    VerifiedRequest request = exchange.request();
    String tenant = request.principal().tenant();
    ChatRequest own = request.request();
    ChatRequest sent = stripsHiddenText.test(tenant) ? RequestCarriers.strip(own) : own;
    RagContext context = sent.context();
    if (context == null || context.chunks().isEmpty()) {
      return sent == own
          ? Verdict.next(exchange)
          : Verdict.next(exchange.withProviderMessages(sent.messages()));
    }
    Spotlighting built = Spotlight.build(sent, modeForTenant.apply(tenant), boundaries.get());
    if (built instanceof Spotlighting.Refused refused) {
      return Verdict.stop(
          Refusal.of(
              STAGE,
              ErrorCode.CONTEXT_INJECTION_RISK,
              "retrieved context contains the gateway's document boundary",
              "context",
              refused.chunkIds().stream()
                  .map(id -> "chunk " + ContextFirewall.printable(id) + ": contains the boundary")
                  .toList()));
    }
    Spotlighting.Spotlighted spotlighted = (Spotlighting.Spotlighted) built;
    ValidationLimits limits = limitsForTenant.apply(tenant);
    if (spotlighted.messages().size() > limits.maxMessages()) {
      return tooBig(
          ErrorCode.TOO_MANY_MESSAGES,
          "at most "
              + limits.maxMessages()
              + " messages are allowed, counting those the gateway adds for the context",
          "messages");
    }
    if (chars(spotlighted.documents()) > limits.maxMessageChars()) {
      return tooBig(
          ErrorCode.MESSAGE_TOO_LONG,
          "the context, with the gateway's markers, makes a message of more than "
              + limits.maxMessageChars()
              + " characters",
          "context");
    }
    if (spotlighted.instructionAt() >= 0
        && chars(spotlighted.messages().get(spotlighted.instructionAt()))
            > limits.maxMessageChars()) {
      return tooBig(
          ErrorCode.MESSAGE_TOO_LONG,
          "the system message, with the gateway's instruction for the context, has more than "
              + limits.maxMessageChars()
              + " characters",
          "context");
    }
    return Verdict.next(
        exchange.withProviderMessages(
            spotlighted.messages(), context == own.context() ? null : context));
  }

  private static int chars(ChatMessage message) {
    int length = 0;
    for (ContentPart part : message.content()) {
      length += part.text().length();
    }
    return length;
  }

  private static Verdict tooBig(ErrorCode code, String message, String param) {
    return Verdict.stop(Refusal.of(STAGE, code, message, param, List.of(code.code())));
  }
}

package dev.sluice.pipeline.firewall;

import dev.sluice.pipeline.firewall.FirewallSettings.Mode;
import dev.sluice.pipeline.firewall.risk.InjectionScorer;
import dev.sluice.pipeline.firewall.risk.RiskAssessment;
import dev.sluice.pipeline.firewall.risk.Sensitivity;
import dev.sluice.pipeline.stage.Refusal;
import dev.sluice.pipeline.stage.RequestStage;
import dev.sluice.pipeline.stage.StageDecision;
import dev.sluice.schemas.StageName;
import dev.sluice.schemas.chat.ChatMessage;
import dev.sluice.schemas.chat.RagChunk;
import dev.sluice.schemas.chat.RagContext;
import dev.sluice.schemas.envelope.RiskFlag;
import dev.sluice.schemas.envelope.VerifiedRequest;
import dev.sluice.schemas.reply.ErrorCode;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * The context firewall for retrieval-augmented requests. Every chunk must come from an allowed
 * origin: its own {@code source}, or the context's when it has none. A chunk with no source at all,
 * or one outside the allowlist, refuses the whole request, naming the chunk ids. Chunks and tool
 * results ({@code tool} messages) are scored for prompt-injection risk as retrieved text; the
 * caller's own messages are scored as prompts, and so is the text it gives the model outside them
 * ({@link InstructionText}: tool definitions, predicted output, structured-output schemas). The
 * chunks it admits reach the model later in the chain, spotlighted ({@link
 * dev.sluice.pipeline.firewall.spotlight.SpotlightContext}).
 *
 * <p>A request whose strings hold invisible carriers of text ({@link RequestCarriers}) is flagged
 * {@value #HIDDEN_TEXT} with their character count, in every mode: that is a fact about the
 * request, not a score, and the tenant's {@code strip_hidden_text} decides later, where the
 * provider's copy is built, whether they are sent.
 */
public final class ContextFirewall implements RequestStage {
  public static final StageName STAGE = StageName.CONTEXT_FIREWALL;

  /** The cue of a request that holds hidden text, in {@code meta.firewall} and the audit record. */
  public static final String HIDDEN_TEXT = "hidden_text";

  private static final int MAX_ID_CHARS = 64;

  private final ContextOrigins origins;
  private final Function<String, FirewallSettings> settingsForTenant;
  private final InjectionScorer contextScorer;
  private final InjectionScorer promptScorer;

  /** Origins only: no risk scoring. */
  public ContextFirewall(ContextOrigins origins) {
    this(
        origins,
        tenant -> new FirewallSettings(Mode.OFF, Mode.OFF, Sensitivity.DEFAULT_LEVEL),
        InjectionScorer.forRetrievedContext(),
        InjectionScorer.forUserPrompt());
  }

  public ContextFirewall(
      ContextOrigins origins,
      Function<String, FirewallSettings> settingsForTenant,
      InjectionScorer contextScorer,
      InjectionScorer promptScorer) {
    this.origins = Objects.requireNonNull(origins, "origins");
    this.settingsForTenant = Objects.requireNonNull(settingsForTenant, "settingsForTenant");
    this.contextScorer = Objects.requireNonNull(contextScorer, "contextScorer");
    this.promptScorer = Objects.requireNonNull(promptScorer, "promptScorer");
  }

  @Override
  public StageName name() {
    return STAGE;
  }

  @Override
  public StageDecision apply(VerifiedRequest request, long nowMs) {
    RagContext context = request.request().context();
    if (context != null && !context.chunks().isEmpty()) {
      StageDecision origin = checkOrigins(request, context);
      if (origin instanceof StageDecision.Deny) {
        return origin;
      }
    }
    FirewallSettings settings = settingsForTenant.apply(request.principal().tenant());
    VerifiedRequest checked = request;
    List<InstructionText> instructions = InstructionText.of(request.request());
    // Messages and context are stripped of hidden text before the provider; instructions outside
    // the messages are not rewritten, so carriers there are refused instead, in every mode.
    for (InstructionText instruction : instructions) {
      if (RequestCarriers.count(instruction.text()) > 0) {
        return new StageDecision.Deny(
            Refusal.of(
                STAGE,
                ErrorCode.PROMPT_INJECTION_RISK,
                "invisible characters that carry text are not allowed in tool definitions and"
                    + " request options",
                instruction.param(),
                List.of(HIDDEN_TEXT)));
      }
    }
    int hidden = RequestCarriers.count(request.request());
    if (hidden > 0) {
      checked = checked.flagged(new RiskFlag(0, List.of(HIDDEN_TEXT), hidden));
    }
    if (settings.contextMode() != Mode.OFF) {
      List<String> blocked = new ArrayList<>();
      if (context != null) {
        for (RagChunk chunk : context.chunks()) {
          checked =
              assessRetrieved(
                  checked, settings, chunk.content(), "chunk " + printable(chunk.id()), blocked);
        }
      }
      // A tool's result is retrieved text too: whatever the tool fetched can carry instructions.
      for (ChatMessage message : request.request().messages()) {
        if ("tool".equals(message.role())) {
          String label = "tool result " + printable(String.valueOf(message.toolCallId()));
          checked = assessRetrieved(checked, settings, message.text(), label, blocked);
        }
      }
      if (!blocked.isEmpty()) {
        return new StageDecision.Deny(
            Refusal.of(
                STAGE,
                ErrorCode.CONTEXT_INJECTION_RISK,
                "retrieved context or tool results look like a prompt injection",
                "context",
                blocked));
      }
    }
    if (settings.promptMode() != Mode.OFF) {
      // The caller's own words: its user messages, then what it gives the model outside them.
      List<InstructionText> prompts = new ArrayList<>();
      for (ChatMessage message : request.request().messages()) {
        if ("user".equals(message.role())) {
          prompts.add(new InstructionText("messages", message.text()));
        }
      }
      prompts.addAll(instructions);
      for (InstructionText prompt : prompts) {
        RiskAssessment risk = promptScorer.assess(prompt.text());
        if (settings.promptMode() == Mode.BLOCK
            && Sensitivity.blocks(risk, settings.sensitivity())) {
          String what =
              prompt.param().equals("messages")
                  ? "the prompt"
                  : "a tool definition or request option";
          return new StageDecision.Deny(
              Refusal.of(
                  STAGE,
                  ErrorCode.PROMPT_INJECTION_RISK,
                  what + " looks like a prompt injection",
                  prompt.param(),
                  risk.cues()));
        }
        if (risk.flagged()) {
          checked = checked.flagged(new RiskFlag(risk.score(), risk.cues()));
        }
      }
    }
    return new StageDecision.Pass(checked);
  }

  /**
   * Scores one retrieved text: adds {@code label: cues} to {@code blocked} when it blocks, and
   * returns the request flagged when it is risky but let through.
   */
  private VerifiedRequest assessRetrieved(
      VerifiedRequest request,
      FirewallSettings settings,
      String text,
      String label,
      List<String> blocked) {
    RiskAssessment risk = contextScorer.assess(text);
    if (settings.contextMode() == Mode.BLOCK && Sensitivity.blocks(risk, settings.sensitivity())) {
      blocked.add(label + ": " + String.join(", ", risk.cues()));
      return request;
    }
    return risk.flagged() ? request.flagged(new RiskFlag(risk.score(), risk.cues())) : request;
  }

  private StageDecision checkOrigins(VerifiedRequest request, RagContext context) {
    List<String> reasons = new ArrayList<>();
    for (RagChunk chunk : context.chunks()) {
      String source = context.sourceOf(chunk);
      if (source == null) {
        reasons.add("chunk " + printable(chunk.id()) + ": no source");
      } else if (!origins.allows(source)) {
        reasons.add("chunk " + printable(chunk.id()) + ": origin not allowed");
      }
    }
    if (reasons.isEmpty()) {
      return new StageDecision.Pass(request);
    }
    String message =
        origins.isEmpty()
            ? "no context origins are allowed on this gateway (ALLOWED_CONTEXT_ORIGINS)"
            : "context chunks must come from an allowed origin";
    return new StageDecision.Deny(
        Refusal.of(STAGE, ErrorCode.CONTEXT_ORIGIN_NOT_ALLOWED, message, "context", reasons));
  }

  /** Ids are the caller's own words: shown short and printable only (in refusal reasons). */
  public static String printable(String id) {
    StringBuilder shown = new StringBuilder();
    for (int i = 0; i < id.length() && shown.length() < MAX_ID_CHARS; i++) {
      char c = id.charAt(i);
      shown.append(c < 0x20 || c == 0x7f || Character.isISOControl(c) ? '?' : c);
    }
    return shown.length() < id.length() ? shown + "…" : shown.toString();
  }
}

package dev.sluice.pipeline.firewall;

import dev.sluice.pipeline.stage.Refusal;
import dev.sluice.pipeline.stage.RequestStage;
import dev.sluice.pipeline.stage.StageDecision;
import dev.sluice.schemas.chat.RagChunk;
import dev.sluice.schemas.chat.RagContext;
import dev.sluice.schemas.envelope.VerifiedRequest;
import dev.sluice.schemas.reply.ErrorCode;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The context firewall for retrieval-augmented requests. Every chunk must come from an allowed
 * origin: its own {@code source}, or the context's when it has none. A chunk with no source at all,
 * or one outside the allowlist, refuses the whole request, naming the chunk ids.
 */
public final class ContextFirewall implements RequestStage {
  public static final String STAGE = "context_firewall";
  private static final int MAX_ID_CHARS = 64;

  private final ContextOrigins origins;

  public ContextFirewall(ContextOrigins origins) {
    this.origins = Objects.requireNonNull(origins, "origins");
  }

  @Override
  public String name() {
    return STAGE;
  }

  @Override
  public StageDecision apply(VerifiedRequest request, long nowMs) {
    RagContext context = request.request().context();
    if (context == null || context.chunks().isEmpty()) {
      return new StageDecision.Pass(request);
    }
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

  /** Ids are the caller's own words: shown short and printable only. */
  static String printable(String id) {
    StringBuilder shown = new StringBuilder();
    for (int i = 0; i < id.length() && shown.length() < MAX_ID_CHARS; i++) {
      char c = id.charAt(i);
      shown.append(c < 0x20 || c == 0x7f || Character.isISOControl(c) ? '?' : c);
    }
    return shown.length() < id.length() ? shown + "…" : shown.toString();
  }
}

package dev.sluice.pipeline.audit;

import dev.sluice.pipeline.flow.Settled;
import dev.sluice.schemas.Principal;
import dev.sluice.schemas.StageName;
import dev.sluice.schemas.audit.AuditDecision;
import dev.sluice.schemas.audit.AuditRecord;
import dev.sluice.schemas.chat.ChatMessage;
import dev.sluice.schemas.chat.RagChunk;
import dev.sluice.schemas.chat.RagContext;
import dev.sluice.schemas.envelope.VerifiedRequest;
import dev.sluice.schemas.reply.ChatCompletion;
import dev.sluice.schemas.reply.ReplyEnvelope;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Turns a settled request into its audit record, not yet chained. The record describes the decision
 * only: the prompt appears as its SHA-256, and no completion or credential is kept.
 */
public final class AuditDecisions {
  /** The record key of requests refused before their tenant was verified. */
  public static final String UNAUTHENTICATED = "-";

  private AuditDecisions() {}

  public static AuditRecord of(
      Settled settled, String policyMode, String policyVersion, long nowMs) {
    ReplyEnvelope reply = settled.reply();
    // The principal, not the request: a request refused for its shape has no VerifiedRequest but
    // was authenticated, and its record names whose it was.
    Principal principal = settled.principal();
    VerifiedRequest request = settled.request();
    List<String> reasons = new ArrayList<>();
    if (reply.error() != null) {
      reasons.add(reply.error().code());
      reasons.addAll(reply.error().reasons());
    }
    ChatCompletion completion = reply.completion();
    // A repeat answered from an Idempotency-Key's first call called no provider and used no
    // tokens: the copy of the first call's answer must not count them again.
    boolean replay = settled.stage() == StageName.IDEMPOTENCY;
    if (replay && completion != null) {
      reasons.add(IDEMPOTENT_REPLAY);
    }
    Double providerMs = replay ? null : reply.timings().get(StageName.PROVIDER.wireName());
    return new AuditRecord(
        AuditRecord.VERSION,
        reply.requestId(),
        principal == null ? null : principal.tenant(),
        principal == null ? null : principal.subject(),
        nowMs,
        request == null ? null : request.request().model(),
        settled.source(),
        new AuditDecision(reply.outcome(), settled.stage(), reasons, policyMode, policyVersion),
        request == null || request.risk() == null ? null : request.risk().risk(),
        request == null || request.risk() == null ? null : request.risk().cues(),
        request == null || request.risk() == null ? null : request.risk().hiddenChars(),
        settled.rateLimit(),
        replay || completion == null || completion.meta() == null
            ? null
            : completion.meta().provider(),
        providerMs == null ? null : 1,
        providerMs == null ? null : Math.round(providerMs),
        replay || completion == null ? null : completion.usage(),
        reply.redactions().isEmpty() ? null : reply.redactions(),
        request == null ? null : promptSha256(request),
        null,
        null,
        null);
  }

  /** The reason of a repeat answered from its Idempotency-Key's first call. */
  public static final String IDEMPOTENT_REPLAY = "idempotent_replay";

  /** The key of a record on the audit topics: the verified tenant. */
  public static String key(AuditRecord record) {
    return record.tenant() == null ? UNAUTHENTICATED : record.tenant();
  }

  /**
   * SHA-256 of the prompt as the caller sent it: for each message its role and text, then for each
   * context chunk its id, source and content, every field followed by a NUL byte. Streamed into the
   * digest: no copy of the prompt is built.
   */
  static String promptSha256(VerifiedRequest request) {
    MessageDigest digest = AuditChain.sha256();
    for (ChatMessage message : request.request().messages()) {
      field(digest, message.role());
      field(digest, message.text());
    }
    RagContext context = request.request().context();
    if (context != null) {
      for (RagChunk chunk : context.chunks()) {
        field(digest, chunk.id());
        field(digest, context.sourceOf(chunk));
        field(digest, chunk.content());
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private static void field(MessageDigest digest, String value) {
    if (value != null) {
      digest.update(value.getBytes(StandardCharsets.UTF_8));
    }
    digest.update((byte) 0);
  }
}

package dev.sluice.schemas.audit;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.sluice.schemas.envelope.Source;
import dev.sluice.schemas.reply.Usage;
import java.util.List;
import java.util.Map;

/**
 * One decision, as kept forever on {@code llm.audit} (key = tenant). Holds no prompt, completion or
 * credential: the prompt appears only as its SHA-256. Records of one chain ({@code chainId} = the
 * writing stream task) link through {@code prevHash}/{@code hash}; a crash may repeat a request's
 * record, so readers count decisions by {@code requestId}.
 *
 * @param timeMs when the decision was made, epoch milliseconds
 * @param firewallRisk highest injection risk score seen, 0 to 1
 * @param firewallCues names of the risk cues that fired
 * @param firewallHiddenChars characters of invisible carriers (tag characters, variation-selector
 *     runs) the prompt and context held, or null when none
 * @param rateLimit the rate-limit stage's decision, when the request reached it
 * @param latencyMs provider latency including retries
 * @param promptSha256 hex SHA-256 of the canonical prompt
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AuditRecord(
    int schemaVersion,
    String requestId,
    String tenant,
    String subject,
    long timeMs,
    String model,
    Source source,
    AuditDecision decision,
    Double firewallRisk,
    List<String> firewallCues,
    Integer firewallHiddenChars,
    RateLimitRecord rateLimit,
    String provider,
    Integer attempts,
    Long latencyMs,
    Usage usage,
    Map<String, Integer> redactions,
    String promptSha256,
    String chainId,
    String prevHash,
    String hash) {

  public static final int VERSION = 1;

  public AuditRecord {
    firewallCues = firewallCues == null ? null : List.copyOf(firewallCues);
    redactions = redactions == null ? null : Map.copyOf(redactions);
  }
}

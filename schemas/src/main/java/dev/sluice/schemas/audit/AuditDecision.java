package dev.sluice.schemas.audit;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.sluice.schemas.StageName;
import dev.sluice.schemas.reply.Outcome;
import java.util.List;

/**
 * What was decided about a request and by which stage.
 *
 * @param stage the stage that decided (for completed requests, the last one)
 * @param policyMode {@code LOCAL} or {@code OPA}
 * @param policyVersion content hash of the policy bundle in force
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AuditDecision(
    Outcome outcome,
    StageName stage,
    List<String> reasons,
    String policyMode,
    String policyVersion) {
  public AuditDecision {
    reasons = reasons == null ? List.of() : List.copyOf(reasons);
  }
}

package dev.sluice.schemas;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * The pipeline's stages by the names that reach audit records ({@code decision.stage}), the reply's
 * stage timings and the {@code Server-Timing} header. The wire names are a contract: auditors
 * filter on them and dashboards chart them, so a stage is renamed only with a new schema version.
 */
public enum StageName {
  /** Reading the envelope: its address, id and version, before anything else runs. */
  ADMISSION("admission"),
  AUTHENTICATE("authenticate"),
  /** A request with an Idempotency-Key answered from its first call, or refused for reusing it. */
  IDEMPOTENCY("idempotency"),
  VALIDATE("validate"),
  CONTEXT_FIREWALL("context_firewall"),
  POLICY("policy"),
  RATE_LIMIT("rate_limit"),
  REDACT_PROMPT("redact_prompt"),
  PROVIDER("provider"),
  REDACT("redact"),
  /** The whole way through the pipeline, from the broker's append time to the reply (a timing). */
  PIPELINE("pipeline");

  private final String wireName;

  StageName(String wireName) {
    this.wireName = wireName;
  }

  @JsonValue
  public String wireName() {
    return wireName;
  }

  /** The stage a wire name stands for; unknown names are refused rather than guessed. */
  @JsonCreator
  public static StageName fromWireName(String wireName) {
    for (StageName stage : values()) {
      if (stage.wireName.equals(wireName)) {
        return stage;
      }
    }
    throw new IllegalArgumentException("unknown stage");
  }

  @Override
  public String toString() {
    return wireName;
  }
}

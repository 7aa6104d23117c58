package dev.sluice.schemas.reply;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** How a request ended. */
public enum Outcome {
  /** The provider answered and the answer passed every stage. */
  COMPLETED,
  /** A guardrail refused the request. */
  DENIED,
  /** The gateway or the provider could not answer. */
  FAILED;

  @JsonValue
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}

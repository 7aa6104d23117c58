package dev.sluice.schemas.envelope;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Which entry point a request came through; decided by the topic it was read from. */
public enum Source {
  HTTP,
  BATCH;

  @JsonValue
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}

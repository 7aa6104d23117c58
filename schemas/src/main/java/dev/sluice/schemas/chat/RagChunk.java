package dev.sluice.schemas.chat;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Objects;

/**
 * A retrieved passage offered as context. Its own {@code source}, when present, overrides the
 * context's.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RagChunk(String id, String content, String source) {
  public RagChunk {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(content, "content");
  }

  @Override
  public String toString() {
    return "RagChunk[id=" + id + ", source=" + source + ", chars=" + content.length() + "]";
  }
}

package dev.sluice.schemas.chat;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/** Retrieval-augmented context: where the chunks came from and the chunks themselves. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RagContext(String source, List<RagChunk> chunks) {
  public RagContext {
    chunks = chunks == null ? List.of() : List.copyOf(chunks);
  }

  /** Where a chunk came from: its own {@code source}, else the context's; null when neither. */
  public String sourceOf(RagChunk chunk) {
    if (chunk.source() != null && !chunk.source().isBlank()) {
      return chunk.source();
    }
    return source == null || source.isBlank() ? null : source;
  }
}

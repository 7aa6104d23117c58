package dev.sluice.schemas.chat;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/** Retrieval-augmented context: where the chunks came from and the chunks themselves. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RagContext(String source, List<RagChunk> chunks) {
  public RagContext {
    chunks = chunks == null ? List.of() : List.copyOf(chunks);
  }
}

package dev.sluice.schemas.reply;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Objects;

/**
 * One token of an answer with its log probability, in OpenAI's shape.
 *
 * @param bytes the token's UTF-8 bytes (a token may hold part of a character), or null
 * @param topLogprobs the likeliest tokens at this position, empty when none were asked for; null
 *     for an alternative itself
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TokenLogprob(
    String token,
    double logprob,
    // Always written, null when masked or unknown, as OpenAI writes it: strict clients expect it.
    @JsonInclude(JsonInclude.Include.ALWAYS) List<Integer> bytes,
    @JsonProperty("top_logprobs") List<TokenLogprob> topLogprobs) {
  public TokenLogprob {
    Objects.requireNonNull(token, "token");
    bytes = bytes == null ? null : List.copyOf(bytes);
    topLogprobs = topLogprobs == null ? null : List.copyOf(topLogprobs);
  }

  /**
   * The token replaced by {@code marker} (a redaction placeholder, or empty for the rest of a
   * redacted span): its bytes and alternatives say what was removed, so they go too.
   */
  public TokenLogprob masked(String marker) {
    return new TokenLogprob(marker, logprob, null, topLogprobs == null ? null : List.of());
  }

  @Override
  public String toString() {
    // A token is a piece of a completion: never in logs.
    return "TokenLogprob[chars=" + token.length() + "]";
  }
}

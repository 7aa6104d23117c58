package dev.sluice.schemas.reply;

import java.util.List;

/**
 * A choice's {@code logprobs}: the tokens of its content and of its refusal, each null when the
 * provider sent none.
 */
public record ChoiceLogprobs(List<TokenLogprob> content, List<TokenLogprob> refusal) {
  public ChoiceLogprobs {
    content = content == null ? null : List.copyOf(content);
    refusal = refusal == null ? null : List.copyOf(refusal);
  }
}

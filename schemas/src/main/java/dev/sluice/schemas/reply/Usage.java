package dev.sluice.schemas.reply;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Token counts in OpenAI's shape.
 *
 * @param promptTokensDetails the provider's breakdown of the prompt tokens ({@code cached_tokens},
 *     ...), or null
 * @param completionTokensDetails its breakdown of the completion tokens ({@code reasoning_tokens},
 *     ...), or null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Usage(
    @JsonProperty("prompt_tokens") int promptTokens,
    @JsonProperty("completion_tokens") int completionTokens,
    @JsonProperty("total_tokens") int totalTokens,
    @JsonProperty("prompt_tokens_details") Map<String, Integer> promptTokensDetails,
    @JsonProperty("completion_tokens_details") Map<String, Integer> completionTokensDetails) {

  public Usage {
    promptTokensDetails = copy(promptTokensDetails);
    completionTokensDetails = copy(completionTokensDetails);
  }

  public Usage(int promptTokens, int completionTokens, int totalTokens) {
    this(promptTokens, completionTokens, totalTokens, null, null);
  }

  /** These counts with the provider's breakdowns. */
  public Usage withDetails(Map<String, Integer> prompt, Map<String, Integer> completion) {
    return new Usage(promptTokens, completionTokens, totalTokens, prompt, completion);
  }

  private static Map<String, Integer> copy(Map<String, Integer> details) {
    return details == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(details));
  }

  public static Usage of(int promptTokens, int completionTokens) {
    return new Usage(promptTokens, completionTokens, promptTokens + completionTokens);
  }
}

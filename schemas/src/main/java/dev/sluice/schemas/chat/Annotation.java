package dev.sluice.schemas.chat;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Objects;

/**
 * A note a provider attaches to an answer's text, in OpenAI's shape: today only {@code
 * url_citation}, a web page the characters {@code [start_index, end_index)} of the content draw on
 * (search models write them).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Annotation(String type, @JsonProperty("url_citation") UrlCitation urlCitation) {
  public static final String URL_CITATION = "url_citation";

  public Annotation {
    Objects.requireNonNull(type, "type");
  }

  /** A page cited by a span of the content. */
  public record UrlCitation(
      @JsonProperty("start_index") int startIndex,
      @JsonProperty("end_index") int endIndex,
      String url,
      String title) {
    public UrlCitation {
      Objects.requireNonNull(url, "url");
      Objects.requireNonNull(title, "title");
    }

    @Override
    public String toString() {
      // A cited page's address and title are model output: never in logs.
      return "UrlCitation[" + startIndex + ".." + endIndex + "]";
    }
  }
}

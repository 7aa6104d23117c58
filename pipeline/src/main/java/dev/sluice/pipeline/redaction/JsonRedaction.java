package dev.sluice.pipeline.redaction;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.sluice.pipeline.redaction.Redaction.Edit;
import dev.sluice.schemas.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Redacts JSON text value by value: a tool call's arguments, an answer written under {@code
 * response_format} {@code json_object} or {@code json_schema}. Each string value, each member name
 * and each number is redacted on its own and spliced back where it was, so the text stays valid
 * JSON with its structure and the model's own formatting, and a marker never swallows a quote or an
 * escape.
 *
 * <p>A number that holds something to redact (a card number, a phone number written as digits)
 * cannot keep its type: it becomes the marker as a JSON string, so {@code {"card":
 * 4111111111111111}} becomes {@code {"card": "[REDACTED:CREDIT_CARD]"}}. A schema that wants a
 * number there is not met; leaking the number would be worse. Two member names redacted to the same
 * marker stay two members with one name, which JSON allows and most parsers read as the last one.
 */
final class JsonRedaction {
  private JsonRedaction() {}

  /**
   * The JSON text with every string, member name and number redacted, edits at offsets of {@code
   * json}; null when {@code json} is not exactly one JSON value (a model that did not keep to JSON,
   * an answer cut off by {@code max_tokens}), which the caller redacts as plain text.
   */
  static Redaction redact(Redactor redactor, String json) {
    List<Edit> edits = new ArrayList<>();
    int[] counts = new int[RedactionType.values().length];
    try (JsonParser parser = Json.mapper().getFactory().createParser(json)) {
      int depth = 0;
      boolean rootDone = false;
      for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
        if (rootDone) {
          return null; // a second value after the first
        }
        switch (token) {
          case START_OBJECT, START_ARRAY -> depth++;
          case END_OBJECT, END_ARRAY -> depth--;
          case FIELD_NAME, VALUE_STRING -> {
            int start = (int) parser.currentTokenLocation().getCharOffset();
            int end = stringEnd(json, start);
            if (end < 0) {
              return null;
            }
            edit(redactor, parser.getText(), start, end, edits, counts);
          }
          case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
            int start = (int) parser.currentTokenLocation().getCharOffset();
            String literal = parser.getText();
            if (start < 0 || !json.startsWith(literal, start)) {
              return null;
            }
            edit(redactor, literal, start, start + literal.length(), edits, counts);
          }
          default -> {}
        }
        if (depth == 0 && token != JsonToken.FIELD_NAME) {
          rootDone = true;
        }
      }
    } catch (IOException | RuntimeException e) {
      // Not JSON, or JSON nested deeper than the gateway reads: plain text it is.
      return null;
    }
    if (edits.isEmpty()) {
      return Redaction.unchanged(json);
    }
    StringBuilder out = new StringBuilder(json.length() + 16 * edits.size());
    int at = 0;
    for (Edit edit : edits) {
      out.append(json, at, edit.start()).append(edit.replacement());
      at = edit.end();
    }
    out.append(json, at, json.length());
    return new Redaction(out.toString(), RedactionReport.ofOrdinalCounts(counts), edits);
  }

  /** {@link #redact}, falling back to plain text; counts are added to {@code counts}. */
  static Redaction redactOrText(Redactor redactor, String text, Map<String, Integer> counts) {
    Redaction redaction = redact(redactor, text);
    if (redaction == null) {
      redaction = redactor.redact(text);
    }
    redaction.report().counts().forEach((type, n) -> counts.merge(type, n, Integer::sum));
    return redaction;
  }

  /** Records the edit that replaces the literal at {@code [start, end)} when its value changed. */
  private static void edit(
      Redactor redactor, String value, int start, int end, List<Edit> edits, int[] counts) {
    if (value.isEmpty()) {
      return;
    }
    Redaction redaction = redactor.redact(value);
    if (!redaction.changed()) {
      return;
    }
    redaction
        .report()
        .counts()
        .forEach((type, n) -> counts[RedactionType.valueOf(type).ordinal()] += n);
    edits.add(new Edit(start, end, quoted(redaction.text())));
  }

  private static String quoted(String text) {
    return '"' + new String(JsonStringEncoder.getInstance().quoteAsString(text)) + '"';
  }

  /** The offset after the string literal that opens at {@code start}, or -1 if none does. */
  private static int stringEnd(String json, int start) {
    if (start < 0 || start >= json.length() || json.charAt(start) != '"') {
      return -1;
    }
    for (int i = start + 1; i < json.length(); i++) {
      char c = json.charAt(i);
      if (c == '\\') {
        i++;
      } else if (c == '"') {
        return i + 1;
      }
    }
    return -1;
  }
}

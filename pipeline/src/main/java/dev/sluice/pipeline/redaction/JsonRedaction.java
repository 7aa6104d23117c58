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
import java.util.TreeMap;

/**
 * Redacts JSON text value by value: a tool call's arguments, an answer written under {@code
 * response_format} {@code json_object} or {@code json_schema}. Each string value, each member name
 * and each number is redacted on its own and spliced back where it was, so the text stays valid
 * JSON with its structure and the model's own formatting, and a marker never swallows a quote or an
 * escape.
 *
 * <p>Some values are secrets only by the name beside them ({@code "password": "Xk9mP2vL8q"}, an AWS
 * secret key under {@code aws_secret_access_key}): the whole text is also read as plain text, and
 * every value literal a match found there overlaps becomes that match's marker (the member name
 * stays, unless the match lies in names only). So the JSON path finds at least what the plain-text
 * pass finds.
 *
 * <p>A number that holds something to redact (a card number) cannot keep its type: it becomes the
 * marker as a JSON string, so {@code {"card": 4111111111111111}} becomes {@code {"card":
 * "[REDACTED:CREDIT_CARD]"}}. A schema that wants a number there is not met; leaking the number
 * would be worse. Phone numbers are the exception: a bare JSON number that reads as one is far more
 * often an id or a count ({@code "order_id": 4155552671}), so numbers are not redacted as phones; a
 * phone number written as a string is. Two member names redacted to the same marker stay two
 * members with one name, which JSON allows and most parsers read as the last one.
 */
final class JsonRedaction {
  private JsonRedaction() {}

  /** A string (a value or a member name) or number literal at {@code [start, end)}. */
  private record Literal(int start, int end, boolean name, boolean number) {}

  /**
   * The JSON text with every string, member name and number redacted, edits at offsets of {@code
   * json}; null when {@code json} is not exactly one JSON value (a model that did not keep to JSON,
   * an answer cut off by {@code max_tokens}), which the caller redacts as plain text.
   */
  static Redaction redact(Redactor redactor, String json) {
    List<Literal> literals = new ArrayList<>();
    // Value-level edits by the literal they replace (its index in literals).
    Map<Integer, Edit> edits = new TreeMap<>();
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
            literals.add(new Literal(start, end, token == JsonToken.FIELD_NAME, false));
            edit(redactor, parser.getText(), literals.size() - 1, literals, edits, counts);
          }
          case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
            int start = (int) parser.currentTokenLocation().getCharOffset();
            String literal = parser.getText();
            if (start < 0 || !json.startsWith(literal, start)) {
              return null;
            }
            literals.add(new Literal(start, start + literal.length(), false, true));
            edit(redactor, literal, literals.size() - 1, literals, edits, counts);
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
    byContext(redactor, json, literals, edits, counts);
    return Redaction.spliced(
        json, List.copyOf(edits.values()), RedactionReport.ofOrdinalCounts(counts));
  }

  /**
   * The matches only the whole text shows (a secret named by its member name): each replaces the
   * value literals it overlaps that were not redacted yet, or the names when it overlaps no value.
   */
  private static void byContext(
      Redactor redactor,
      String json,
      List<Literal> literals,
      Map<Integer, Edit> edits,
      int[] counts) {
    int first = 0;
    for (Finding finding : redactor.find(json)) {
      while (first < literals.size() && literals.get(first).end() <= finding.start()) {
        first++;
      }
      List<Integer> values = new ArrayList<>();
      List<Integer> names = new ArrayList<>();
      for (int i = first; i < literals.size() && literals.get(i).start() < finding.end(); i++) {
        Literal literal = literals.get(i);
        if (literal.number() && finding.type() == RedactionType.PHONE) {
          continue; // an id, not a phone: see the class comment
        }
        (literal.name() ? names : values).add(i);
      }
      List<Integer> replaced = values.isEmpty() ? names : values;
      boolean added = false;
      for (int i : replaced) {
        if (!edits.containsKey(i)) {
          Literal literal = literals.get(i);
          edits.put(
              i, new Edit(literal.start(), literal.end(), quoted(finding.type().placeholder())));
          added = true;
        }
      }
      if (added) {
        counts[finding.type().ordinal()]++;
      }
    }
  }

  /** {@link #redact}, falling back to plain text; counts are added to {@code counts}. */
  static Redaction redactOrText(Redactor redactor, String text, Map<String, Integer> counts) {
    Redaction redaction = redact(redactor, text);
    if (redaction == null) {
      return redactor.redact(text, counts);
    }
    redaction.report().addTo(counts);
    return redaction;
  }

  /** Records the edit that replaces literal {@code index} when its own value holds a match. */
  private static void edit(
      Redactor redactor,
      String value,
      int index,
      List<Literal> literals,
      Map<Integer, Edit> edits,
      int[] counts) {
    if (value.isEmpty()) {
      return;
    }
    Literal literal = literals.get(index);
    String redacted;
    if (literal.number()) {
      List<Finding> found = new ArrayList<>(redactor.find(value));
      found.removeIf(finding -> finding.type() == RedactionType.PHONE);
      if (found.isEmpty()) {
        return;
      }
      // A number is one value: it becomes its most specific match's marker, whole.
      RedactionType type = found.get(0).type();
      for (Finding finding : found) {
        if (finding.type().specificity() > type.specificity()) {
          type = finding.type();
        }
      }
      counts[type.ordinal()]++;
      redacted = type.placeholder();
    } else {
      Redaction redaction = redactor.redact(value);
      if (!redaction.changed()) {
        return;
      }
      redaction
          .report()
          .counts()
          .forEach((type, n) -> counts[RedactionType.valueOf(type).ordinal()] += n);
      redacted = redaction.text();
    }
    edits.put(index, new Edit(literal.start(), literal.end(), quoted(redacted)));
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

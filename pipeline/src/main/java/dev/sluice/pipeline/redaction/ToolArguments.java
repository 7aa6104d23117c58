package dev.sluice.pipeline.redaction;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.Iterator;
import java.util.Map;

/**
 * Redacts a tool call's arguments, which are JSON text, value by value ({@link JsonRedaction}), so
 * they stay valid JSON for the caller's tool; arguments a model wrote as invalid JSON are redacted
 * as plain text. Also redacts the JSON trees of a request (tool parameter schemas, predictions,
 * structured-output schemas) string by string.
 */
final class ToolArguments {
  private ToolArguments() {}

  static String redact(Redactor redactor, String arguments, Map<String, Integer> counts) {
    return JsonRedaction.redactOrText(redactor, arguments, counts).text();
  }

  /**
   * A JSON tree with every string value redacted, keys and structure kept: a tool's parameter
   * schema, a prediction, a structured-output schema. {@code tree} itself when nothing changed;
   * null stays null.
   */
  static JsonNode redactTree(Redactor redactor, JsonNode tree, Map<String, Integer> counts) {
    if (tree == null) {
      return null;
    }
    if (tree.isTextual()) {
      String after = text(redactor, tree.textValue(), counts);
      return after.equals(tree.textValue()) ? tree : TextNode.valueOf(after);
    }
    JsonNode copy = tree.deepCopy();
    return redactStrings(redactor, copy, counts) ? copy : tree;
  }

  private static String text(Redactor redactor, String value, Map<String, Integer> counts) {
    return redactor.redact(value, counts).text();
  }

  /** Redacts every string value inside {@code node} in place; true when one changed. */
  private static boolean redactStrings(
      Redactor redactor, JsonNode node, Map<String, Integer> counts) {
    boolean changed = false;
    if (node instanceof ObjectNode object) {
      Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        if (field.getValue().isTextual()) {
          String before = field.getValue().textValue();
          String after = text(redactor, before, counts);
          if (!after.equals(before)) {
            field.setValue(TextNode.valueOf(after));
            changed = true;
          }
        } else {
          changed |= redactStrings(redactor, field.getValue(), counts);
        }
      }
    } else if (node instanceof ArrayNode array) {
      for (int i = 0; i < array.size(); i++) {
        JsonNode item = array.get(i);
        if (item.isTextual()) {
          String after = text(redactor, item.textValue(), counts);
          if (!after.equals(item.textValue())) {
            array.set(i, TextNode.valueOf(after));
            changed = true;
          }
        } else {
          changed |= redactStrings(redactor, item, counts);
        }
      }
    }
    return changed;
  }
}

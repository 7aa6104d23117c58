package dev.sluice.schemas;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion.VersionFlag;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Set;

/**
 * The contract schemas as a validator sees them, loaded from the classpath under their public
 * {@code $id}s so that cross-file {@code $ref}s resolve exactly as they would for a batch producer.
 */
public final class ContractSchemas {
  private ContractSchemas() {}

  public static final String BASE = "https://sluice.dev/schemas/";
  public static final String CHAT_REQUEST = "chat-request.schema.json";
  public static final String REQUEST_ENVELOPE = "request-envelope.schema.json";
  public static final String REPLY_ENVELOPE = "reply-envelope.schema.json";
  public static final String AUDIT_RECORD = "audit-record.schema.json";
  public static final String DEAD_LETTER = "dead-letter.schema.json";
  public static final List<String> FILES =
      List.of(CHAT_REQUEST, REQUEST_ENVELOPE, REPLY_ENVELOPE, AUDIT_RECORD, DEAD_LETTER);

  // Formats are asserted, as strict validators do, should a schema declare one.
  private static final SchemaValidatorsConfig CONFIG =
      SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();

  private static final JsonSchemaFactory FACTORY =
      JsonSchemaFactory.getInstance(
          VersionFlag.V202012,
          builder -> builder.schemaMappers(m -> m.mapPrefix(BASE, "classpath:schemas/")));

  /**
   * The same schemas with {@code additionalProperties: false} on every object that lists its
   * properties: a value the records write validates here only if the schema declares every field.
   */
  private static final JsonSchemaFactory STRICT_FACTORY =
      JsonSchemaFactory.getInstance(
          VersionFlag.V202012,
          builder ->
              builder.schemaLoaders(
                  loaders ->
                      loaders.schemas(
                          iri ->
                              iri.startsWith(BASE)
                                  ? strictText(iri.substring(BASE.length()))
                                  : null)));

  /** {@code file} may carry a fragment, e.g. {@code chat-request.schema.json#/$defs/message}. */
  public static JsonSchema schema(String file) {
    return FACTORY.getSchema(SchemaLocation.of(BASE + file), CONFIG);
  }

  public static JsonSchema strictSchema(String file) {
    return STRICT_FACTORY.getSchema(SchemaLocation.of(BASE + file), CONFIG);
  }

  public static Set<ValidationMessage> validate(String file, JsonNode instance) {
    return schema(file).validate(instance);
  }

  public static Set<ValidationMessage> validateStrict(String file, JsonNode instance) {
    return strictSchema(file).validate(instance);
  }

  /** The schema file's JSON, as stored. */
  public static JsonNode tree(String file) {
    try (InputStream in = ContractSchemas.class.getResourceAsStream("/schemas/" + file)) {
      if (in == null) {
        throw new IllegalArgumentException("no schema " + file);
      }
      return Json.mapper().readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String strictText(String file) {
    JsonNode tree = tree(file).deepCopy();
    closeObjects(tree);
    return tree.toString();
  }

  private static void closeObjects(JsonNode node) {
    if (node.isObject()) {
      // Only real object schemas: oneOf branches that merely constrain a few properties stay open.
      if (node.path("properties").isObject() && "object".equals(node.path("type").asText())) {
        ((ObjectNode) node).put("additionalProperties", false);
      }
      node.forEach(ContractSchemas::closeObjects);
    } else if (node.isArray()) {
      node.forEach(ContractSchemas::closeObjects);
    }
  }
}

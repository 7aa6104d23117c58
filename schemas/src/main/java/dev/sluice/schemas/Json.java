package dev.sluice.schemas;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;

/**
 * The one JSON mapping every contract is read and written with.
 *
 * <p>Reading is strict about types: a value of the wrong JSON type is an error, never converted.
 * Jackson by default reads {@code "1"} as the number 1, {@code 1.9} as the integer 1, {@code 1} as
 * {@code true} or as the text {@code "1"}, {@code ""} as null and an enum's ordinal as the enum.
 * Anyone who can produce to a request topic writes these records, and a message the gateway reads
 * differently from a JSON Schema validator (or from the producer's intent) is a message whose
 * checks mean less. Integers may still be read into floating-point fields: JSON has one number
 * type.
 */
public final class Json {
  private Json() {}

  /** Nesting depth a request may have; deeper input is hostile, not a chat request. */
  public static final int MAX_NESTING_DEPTH = 64;

  private static final ObjectMapper MAPPER = strict(JsonMapper.builder()).build();

  static {
    MAPPER
        .getFactory()
        .setStreamReadConstraints(
            StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING_DEPTH).build());
  }

  /** Thread-safe once configured; shared so its caches warm once. */
  public static ObjectMapper mapper() {
    return MAPPER;
  }

  private static JsonMapper.Builder strict(JsonMapper.Builder builder) {
    builder
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
        .serializationInclusion(JsonInclude.Include.NON_NULL)
        // The switches Jackson has for this; the coercion table below says the same per type, so
        // neither a future default nor one switch's exact scope can bring a coercion back.
        .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
        .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
        .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
        // null is not 0 or false. An absent field still reads as 0: a missing schemaVersion is
        // then answered as an unsupported version, which a producer can act on.
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
    refuse(
        builder,
        LogicalType.Integer,
        CoercionInputShape.String,
        CoercionInputShape.Float,
        CoercionInputShape.Boolean,
        CoercionInputShape.EmptyString);
    // An integer where a floating-point number is expected is fine: JSON has one number type.
    refuse(
        builder,
        LogicalType.Float,
        CoercionInputShape.String,
        CoercionInputShape.Boolean,
        CoercionInputShape.EmptyString);
    refuse(
        builder,
        LogicalType.Boolean,
        CoercionInputShape.String,
        CoercionInputShape.Integer,
        CoercionInputShape.Float,
        CoercionInputShape.EmptyString);
    // Not a scalar to Jackson, so the switch above leaves it alone: 42 would be read as "42".
    refuse(
        builder,
        LogicalType.Textual,
        CoercionInputShape.Integer,
        CoercionInputShape.Float,
        CoercionInputShape.Boolean);
    refuse(
        builder,
        LogicalType.Enum,
        CoercionInputShape.Integer,
        CoercionInputShape.Float,
        CoercionInputShape.EmptyString);
    return builder;
  }

  private static void refuse(
      JsonMapper.Builder builder, LogicalType target, CoercionInputShape... inputs) {
    builder.withCoercionConfig(
        target,
        config -> {
          for (CoercionInputShape input : inputs) {
            config.setCoercion(input, CoercionAction.Fail);
          }
        });
  }
}

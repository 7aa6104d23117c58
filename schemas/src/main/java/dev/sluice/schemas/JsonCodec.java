package dev.sluice.schemas;

import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * How one contract type is written and read on the wire: JSON in UTF-8, through the gateway's one
 * mapper. Errors name the type, never the bytes, as the bytes may hold a credential or a prompt.
 */
public final class JsonCodec<T> {
  private final Class<T> type;
  private final ObjectReader reader;
  private final ObjectWriter writer;

  private JsonCodec(Class<T> type) {
    this.type = type;
    this.reader = Json.mapper().readerFor(type);
    this.writer = Json.mapper().writerFor(type);
  }

  public static <T> JsonCodec<T> of(Class<T> type) {
    return new JsonCodec<>(type);
  }

  /** The type this codec reads and writes. */
  public Class<T> type() {
    return type;
  }

  /** The value as JSON; null (a tombstone) stays null. */
  public byte[] toBytes(T value) {
    if (value == null) {
      return null;
    }
    try {
      return writer.writeValueAsBytes(value);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + type.getSimpleName(), e);
    }
  }

  /**
   * The value read from JSON; null stays null.
   *
   * @throws UnreadableMessageException when the bytes are not a valid message of this type
   */
  public T fromBytes(byte[] bytes) {
    if (bytes == null) {
      return null;
    }
    try {
      return reader.readValue(bytes);
    } catch (IOException | RuntimeException e) {
      // The cause's message may quote input; keep only its type.
      throw new UnreadableMessageException(
          "not a valid " + type.getSimpleName() + " (" + e.getClass().getSimpleName() + ")");
    }
  }
}

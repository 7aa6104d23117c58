package dev.sluice.topics;

import dev.sluice.schemas.JsonCodec;
import dev.sluice.schemas.UnreadableMessageException;
import java.io.UncheckedIOException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * A contract's {@link JsonCodec} as a Kafka serde. Failures become {@link SerializationException},
 * which the Streams deserialization handler sends to dead letters; messages name the type, never
 * the bytes.
 */
public final class JsonSerde<T> implements Serde<T> {
  private final JsonCodec<T> codec;

  private JsonSerde(Class<T> type) {
    this.codec = JsonCodec.of(type);
  }

  public static <T> JsonSerde<T> of(Class<T> type) {
    return new JsonSerde<>(type);
  }

  public byte[] toBytes(T value) {
    try {
      return codec.toBytes(value);
    } catch (UncheckedIOException e) {
      throw new SerializationException("cannot write " + codec.type().getSimpleName(), e);
    }
  }

  public T fromBytes(byte[] bytes) {
    try {
      return codec.fromBytes(bytes);
    } catch (UnreadableMessageException e) {
      throw new SerializationException(e.getMessage());
    }
  }

  @Override
  public Serializer<T> serializer() {
    return (topic, value) -> toBytes(value);
  }

  @Override
  public Deserializer<T> deserializer() {
    return (topic, bytes) -> fromBytes(bytes);
  }
}

package dev.sluice.pipeline.ratelimit;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * A {@link TenantLedger} as the state store and its changelog keep it: compact binary rather than
 * JSON, because a busy tenant's ledger is written on every request and its 120 sub-buckets would be
 * a few kilobytes of JSON each time. Sub-bucket starts are written as differences from the one
 * before and counts as variable-length integers, so a full ledger takes a few hundred bytes.
 *
 * <p>Layout, version 1: the version byte; the request sub-buckets, the token sub-buckets (each: a
 * count, then start and value pairs, starts ascending); the day and its tokens; the reservations (a
 * count, then request id, tokens and time); the settled ids (a count, then request id and time). A
 * reader refuses any other version rather than guess.
 */
public final class LedgerSerde implements Serde<TenantLedger> {
  private static final byte VERSION = 1;

  @Override
  public Serializer<TenantLedger> serializer() {
    return (topic, ledger) -> ledger == null ? null : write(ledger);
  }

  @Override
  public Deserializer<TenantLedger> deserializer() {
    return (topic, bytes) -> bytes == null ? null : read(bytes);
  }

  static byte[] write(TenantLedger ledger) {
    Output out = new Output(16 + 8 * (ledger.requests().size() + ledger.tokens().size()));
    out.writeByte(VERSION);
    writeBuckets(out, ledger.requests());
    writeBuckets(out, ledger.tokens());
    out.writeVarLong(ledger.day());
    out.writeVarLong(ledger.dayTokens());
    out.writeVarLong(ledger.reservations().size());
    for (Map.Entry<String, Reservation> entry : ledger.reservations().entrySet()) {
      out.writeUtf(entry.getKey());
      out.writeVarLong(entry.getValue().tokens());
      out.writeVarLong(entry.getValue().atMs());
    }
    out.writeVarLong(ledger.settled().size());
    for (Map.Entry<String, Long> entry : ledger.settled().entrySet()) {
      out.writeUtf(entry.getKey());
      out.writeVarLong(entry.getValue());
    }
    return out.toByteArray();
  }

  static TenantLedger read(byte[] bytes) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      byte version = in.readByte();
      if (version != VERSION) {
        throw new SerializationException("unknown rate-limit ledger version " + version);
      }
      Map<Long, Long> requests = readBuckets(in);
      Map<Long, Long> tokens = readBuckets(in);
      long day = readVarLong(in);
      long dayTokens = readVarLong(in);
      Map<String, Reservation> reservations = new TreeMap<>();
      for (long i = readCount(in); i > 0; i--) {
        reservations.put(in.readUTF(), new Reservation(readVarLong(in), readVarLong(in)));
      }
      Map<String, Long> settled = new TreeMap<>();
      for (long i = readCount(in); i > 0; i--) {
        settled.put(in.readUTF(), readVarLong(in));
      }
      if (in.available() > 0) {
        throw new SerializationException("a rate-limit ledger with trailing bytes");
      }
      return new TenantLedger(requests, tokens, day, dayTokens, reservations, settled);
    } catch (IOException | IllegalArgumentException e) {
      throw new SerializationException("an unreadable rate-limit ledger", e);
    }
  }

  /**
   * Request ids and the times they were settled, in their order, as the store of settled ids keeps
   * a batch of them: a count, then request id and time pairs; no version byte of its own (its store
   * is new with this layout).
   */
  public static Serde<Map<String, Long>> settledIds() {
    return Serdes.serdeFrom(
        (topic, ids) -> ids == null ? null : writeSettled(ids),
        (topic, bytes) -> bytes == null ? null : readSettled(bytes));
  }

  static byte[] writeSettled(Map<String, Long> ids) {
    Output out = new Output(16 + 48 * ids.size());
    out.writeVarLong(ids.size());
    for (Map.Entry<String, Long> entry : ids.entrySet()) {
      out.writeUtf(entry.getKey());
      out.writeVarLong(entry.getValue());
    }
    return out.toByteArray();
  }

  static Map<String, Long> readSettled(byte[] bytes) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      Map<String, Long> ids = new LinkedHashMap<>();
      for (long i = readCount(in); i > 0; i--) {
        ids.put(in.readUTF(), readVarLong(in));
      }
      if (in.available() > 0) {
        throw new SerializationException("settled request ids with trailing bytes");
      }
      return ids;
    } catch (IOException | IllegalArgumentException e) {
      throw new SerializationException("unreadable settled request ids", e);
    }
  }

  private static void writeBuckets(Output out, Map<Long, Long> buckets) {
    out.writeVarLong(buckets.size());
    long previous = 0;
    for (Map.Entry<Long, Long> bucket : buckets.entrySet()) {
      out.writeVarLong(bucket.getKey() - previous);
      out.writeVarLong(bucket.getValue());
      previous = bucket.getKey();
    }
  }

  private static Map<Long, Long> readBuckets(DataInputStream in) throws IOException {
    Map<Long, Long> buckets = new TreeMap<>();
    long previous = 0;
    for (long i = readCount(in); i > 0; i--) {
      previous += readVarLong(in);
      buckets.put(previous, readVarLong(in));
    }
    return buckets;
  }

  /** A count of entries, bounded so that a corrupt length cannot make the reader loop for ever. */
  private static long readCount(DataInputStream in) throws IOException {
    long count = readVarLong(in);
    if (count < 0 || count > in.available()) {
      throw new SerializationException("a rate-limit ledger with a bad entry count");
    }
    return count;
  }

  private static long readVarLong(DataInputStream in) throws IOException {
    long zigzag = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      int b = in.readUnsignedByte();
      zigzag |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        return (zigzag >>> 1) ^ -(zigzag & 1);
      }
    }
    throw new SerializationException("a rate-limit ledger with a malformed number");
  }

  /**
   * The bytes being written: a plain growable array, because a ledger is written on every request
   * and a {@code DataOutputStream} over a {@code ByteArrayOutputStream} pays a synchronised call
   * per byte. Writes what {@code DataInputStream} reads back.
   */
  private static final class Output {
    private byte[] bytes;
    private int size;

    Output(int capacity) {
      bytes = new byte[capacity];
    }

    void writeByte(int value) {
      if (size == bytes.length) {
        bytes = Arrays.copyOf(bytes, bytes.length * 2);
      }
      bytes[size++] = (byte) value;
    }

    /** Zig-zag, then seven bits a byte, low bits first. */
    void writeVarLong(long value) {
      long zigzag = (value << 1) ^ (value >> 63);
      while ((zigzag & ~0x7FL) != 0) {
        writeByte((int) ((zigzag & 0x7F) | 0x80));
        zigzag >>>= 7;
      }
      writeByte((int) zigzag);
    }

    /** As {@code DataOutput.writeUTF}: a two-byte length, then modified UTF-8. */
    void writeUtf(String text) {
      int length = 0;
      for (int i = 0; i < text.length(); i++) {
        char c = text.charAt(i);
        length += c >= 1 && c <= 0x7F ? 1 : c <= 0x7FF ? 2 : 3;
      }
      if (length > 0xFFFF) {
        throw new IllegalArgumentException("a request id longer than 65,535 bytes");
      }
      writeByte(length >>> 8);
      writeByte(length);
      for (int i = 0; i < text.length(); i++) {
        char c = text.charAt(i);
        if (c >= 1 && c <= 0x7F) {
          writeByte(c);
        } else if (c <= 0x7FF) {
          writeByte(0xC0 | (c >> 6));
          writeByte(0x80 | (c & 0x3F));
        } else {
          writeByte(0xE0 | (c >> 12));
          writeByte(0x80 | ((c >> 6) & 0x3F));
          writeByte(0x80 | (c & 0x3F));
        }
      }
    }

    byte[] toByteArray() {
      return Arrays.copyOf(bytes, size);
    }
  }
}

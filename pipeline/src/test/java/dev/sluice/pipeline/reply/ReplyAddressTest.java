package dev.sluice.pipeline.reply;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.RecordContext;
import org.junit.jupiter.api.Test;

class ReplyAddressTest {
  private final ReplyAddress address = new ReplyAddress("llm.replies");

  @Test
  void choosesThePartitionTheEnvelopeNamed() {
    assertThat(address.partitions("llm.replies", "id", null, partition(4), 6))
        .isEqualTo(Optional.of(Set.of(4)));
    assertThat(address.partitions("llm.replies", "id", null, partition(0), 6))
        .isEqualTo(Optional.of(Set.of(0)));
  }

  @Test
  void fallsBackToTheKeysPartitionForOneTheTopicDoesNotHave() {
    assertThat(address.partitions("llm.replies", "id", null, partition(6), 6)).isEmpty();
    assertThat(address.partitions("llm.replies", "id", null, partition(-1), 6)).isEmpty();
  }

  @Test
  void fallsBackWithoutAUsableHeader() {
    assertThat(address.partitions("llm.replies", "id", null, new RecordHeaders(), 6)).isEmpty();
    RecordHeaders malformed = new RecordHeaders();
    malformed.add(ReplyShaper.REPLY_PARTITION_HEADER, "4".getBytes(StandardCharsets.UTF_8));
    assertThat(address.partitions("llm.replies", "id", null, malformed, 6)).isEmpty();
    assertThat(address.partitions("llm.replies", "id", null, 6)).isEmpty();
  }

  @Test
  void namesTheTopicFromTheHeaderOrTheFallback() {
    RecordHeaders headers = new RecordHeaders();
    headers.add(ReplyShaper.REPLY_TOPIC_HEADER, "llm.replies".getBytes(StandardCharsets.UTF_8));
    assertThat(address.extract("id", null, context(headers))).isEqualTo("llm.replies");
    assertThat(new ReplyAddress("fallback").extract("id", null, context(new RecordHeaders())))
        .isEqualTo("fallback");
  }

  private static Headers partition(int partition) {
    RecordHeaders headers = new RecordHeaders();
    headers.add(
        ReplyShaper.REPLY_PARTITION_HEADER,
        ByteBuffer.allocate(Integer.BYTES).putInt(partition).array());
    return headers;
  }

  private static RecordContext context(Headers headers) {
    return new RecordContext() {
      @Override
      public String topic() {
        return "llm.requests";
      }

      @Override
      public int partition() {
        return 0;
      }

      @Override
      public long offset() {
        return 0;
      }

      @Override
      public long timestamp() {
        return 0;
      }

      @Override
      public Headers headers() {
        return headers;
      }

      @Override
      public byte[] sourceRawKey() {
        return null;
      }

      @Override
      public byte[] sourceRawValue() {
        return null;
      }
    };
  }
}

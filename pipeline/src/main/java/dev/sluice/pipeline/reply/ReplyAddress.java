package dev.sluice.pipeline.reply;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.processor.RecordContext;
import org.apache.kafka.streams.processor.StreamPartitioner;
import org.apache.kafka.streams.processor.TopicNameExtractor;

/**
 * Sends each reply to the topic and partition its request named ({@code replyTo}), so the ingress
 * instance waiting for it, which reads only its own partitions, sees it.
 */
public final class ReplyAddress
    implements TopicNameExtractor<String, byte[]>, StreamPartitioner<String, byte[]> {

  private final String fallbackTopic;

  public ReplyAddress(String fallbackTopic) {
    this.fallbackTopic = fallbackTopic;
  }

  @Override
  public String extract(String key, byte[] value, RecordContext recordContext) {
    Header topic = recordContext.headers().lastHeader(ReplyShaper.REPLY_TOPIC_HEADER);
    return topic == null ? fallbackTopic : new String(topic.value(), StandardCharsets.UTF_8);
  }

  @Override
  public Optional<Set<Integer>> partitions(
      String topic, String key, byte[] value, int numPartitions) {
    return Optional.empty();
  }

  @Override
  public Optional<Set<Integer>> partitions(
      String topic, String key, byte[] value, Headers headers, int numPartitions) {
    Header partition = headers.lastHeader(ReplyShaper.REPLY_PARTITION_HEADER);
    if (partition == null || partition.value().length != Integer.BYTES) {
      return Optional.empty();
    }
    int wanted = ByteBuffer.wrap(partition.value()).getInt();
    // A partition the topic does not have cannot be read by anyone; fall back to the key's.
    return wanted >= 0 && wanted < numPartitions ? Optional.of(Set.of(wanted)) : Optional.empty();
  }
}

package dev.sluice.topics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.schemas.audit.AuditRecord;
import dev.sluice.schemas.envelope.RequestEnvelope;
import dev.sluice.schemas.reply.ReplyEnvelope;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.Test;

/** The topic configs docs/contracts.md documents. */
class TopicsTest {
  private static final String DAY_MS = "86400000";

  @Test
  void namesAreTheDocumentedOnesAndUnique() {
    List<String> names = Topics.all().stream().map(Topic::name).toList();
    assertThat(names)
        .contains("llm.requests", "llm.replies", "llm.audit", "llm.deadletter")
        .doesNotHaveDuplicates();
  }

  @Test
  void everyTopicTakesFourMibMessagesCompressedWithLz4() {
    assertThat(Topics.MAX_MESSAGE_BYTES).isEqualTo(4 * 1024 * 1024);
    for (Topic<?, ?> topic : Topics.all()) {
      assertThat(topic.configs())
          .as(topic.name())
          .containsEntry("max.message.bytes", "4194304")
          .containsEntry("compression.type", "lz4");
    }
  }

  @Test
  void requestsAreKeptOneHourAndStampedByTheBroker() {
    assertThat(Topics.REQUESTS.configs())
        .containsEntry("retention.ms", "3600000")
        .containsEntry("message.timestamp.type", "LogAppendTime");
  }

  @Test
  void requestSegmentsRollOftenEnoughForTheRetentionToHold() {
    // A segment is deleted once its newest record is past retention: it must not stay open for
    // Kafka's default 7 days.
    assertThat(Topics.REQUESTS.configs()).containsEntry("segment.ms", "600000");
    assertThat(Topics.requestsConfigs(86_400_000L))
        .containsEntry("retention.ms", "86400000")
        .containsEntry("segment.ms", "14400000")
        .containsEntry("message.timestamp.type", "LogAppendTime")
        .containsEntry("max.message.bytes", "4194304");
    assertThat(Topics.requestsConfigs(60_000L)).containsEntry("segment.ms", "60000");
    for (Topic<?, ?> topic : List.of(Topics.REPLIES, Topics.AUDIT, Topics.DEAD_LETTERS)) {
      assertThat(topic.configs()).as(topic.name()).doesNotContainKey("segment.ms");
    }
  }

  @Test
  void onlyRequestTopicsUseLogAppendTime() {
    for (Topic<?, ?> topic : List.of(Topics.REPLIES, Topics.AUDIT, Topics.DEAD_LETTERS)) {
      assertThat(topic.configs()).as(topic.name()).doesNotContainKey("message.timestamp.type");
    }
  }

  @Test
  void retention() {
    assertThat(Topics.REPLIES.configs()).containsEntry("retention.ms", DAY_MS);
    assertThat(Topics.AUDIT.configs()).containsEntry("retention.ms", "-1");
    assertThat(Topics.DEAD_LETTERS.configs()).containsEntry("retention.ms", "604800000");
  }

  @Test
  void keysAreStringsAndValuesTheirContracts() {
    for (Topic<?, ?> topic : List.of(Topics.REQUESTS, Topics.REPLIES, Topics.AUDIT)) {
      assertThat(topic.keySerde().getClass()).isEqualTo(Serdes.String().getClass());
    }
    assertThat(Topics.REQUESTS.valueSerde()).isInstanceOf(JsonSerde.class);
    RequestEnvelope envelope =
        new RequestEnvelope(1, "r", "t", null, null, null, null, null, null, null);
    assertThat(
            Topics.REQUESTS
                .valueSerde()
                .deserializer()
                .deserialize(
                    "x", Topics.REQUESTS.valueSerde().serializer().serialize("x", envelope)))
        .isEqualTo(envelope);
    assertThat(Topics.REPLIES.valueSerde()).isInstanceOf(JsonSerde.class);
    assertThat(Topics.AUDIT.valueSerde()).isInstanceOf(JsonSerde.class);
    // Typed so a wrong value type does not compile.
    Topic<String, ReplyEnvelope> replies = Topics.REPLIES;
    Topic<String, AuditRecord> audit = Topics.AUDIT;
    assertThat(List.of(replies, audit)).hasSize(2);
  }

  @Test
  void configsAreImmutable() {
    Map<String, String> configs = Topics.REQUESTS.configs();
    assertThatThrownBy(() -> configs.put("retention.ms", "1"))
        .isInstanceOf(UnsupportedOperationException.class);
  }
}

package dev.sluice.pipeline;

import dev.sluice.config.WarningThrottle;
import dev.sluice.topics.Topics;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The Kafka Streams settings of the pipeline's two applications, worked out from its settings: the
 * request path, tuned for the synchronous path's latency, and the exactly-once audit application.
 */
public final class StreamsProperties {
  private StreamsProperties() {}

  /**
   * The audit application: exactly-once, so a chain's head, its record and the input offset commit
   * together. Its own consumer group and instance id; one thread is plenty.
   */
  public static Properties audit(PipelineSettings settings) {
    Properties props = requests(settings);
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, settings.applicationId() + "-audit");
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
    // Nothing of the audit application is queried: only the request path serves its stores.
    props.remove(StreamsConfig.APPLICATION_SERVER_CONFIG);
    props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
    props.put(StreamsConfig.POLL_MS_CONFIG, 100);
    props.put(
        StreamsConfig.consumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG),
        settings.instanceId() + "-audit");
    props.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG), 100);
    return props;
  }

  /** Streams settings tuned for the synchronous path's latency (docs/benchmarks.md). */
  public static Properties requests(PipelineSettings settings) {
    Map<String, Object> props = new HashMap<>(settings.kafka().clientProperties());
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, settings.applicationId());
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
    props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, settings.streamThreads());
    props.put(StreamsConfig.STATE_DIR_CONFIG, settings.stateDir().toAbsolutePath().toString());
    props.put(StreamsConfig.POLL_MS_CONFIG, settings.pollMs());
    props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, settings.commitIntervalMs());
    // Only the rate limiter's ledger store asks for the record cache (every other store of this
    // topology is uncached, and it has no stateful DSL operator that would cache): a busy
    // tenant's ledger changes on every request, and the cache sends it to its changelog once per
    // commit, before the offsets it covers.
    props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 8L * 1024 * 1024);
    props.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true);
    props.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, StoreMemory.class);
    // Where other instances reach this one's reply stores (ReplyLookup forwards a lookup there).
    props.put(StreamsConfig.APPLICATION_SERVER_CONFIG, settings.advertisedAddress());
    props.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, settings.standbyReplicas());
    props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetters.class);
    props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetters.class);
    props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
    // One per application: its handlers (one per task) log a topic's bad records once a minute.
    props.put(DeadLetters.THROTTLE_CONFIG, new WarningThrottle());
    props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, -1);
    // Static membership: a restart with the same id resumes its partitions immediately.
    props.put(
        StreamsConfig.consumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG),
        settings.instanceId());
    props.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 30_000);
    // Streams sets its producer's linger.ms to 100 ms unless told otherwise.
    props.put(
        StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG),
        settings.tuning().lingerMs());
    props.put(
        StreamsConfig.producerPrefix(ProducerConfig.COMPRESSION_TYPE_CONFIG), Topics.COMPRESSION);
    // How long the broker holds an empty fetch of the request topics (docs/benchmarks.md).
    props.put(
        StreamsConfig.mainConsumerPrefix(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG),
        settings.tuning().fetchMaxWaitMs());
    props.put(
        StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG),
        Topics.MAX_MESSAGE_BYTES);
    props.put(
        StreamsConfig.consumerPrefix(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG),
        Topics.MAX_MESSAGE_BYTES);
    Properties properties = new Properties();
    properties.putAll(props);
    return properties;
  }
}

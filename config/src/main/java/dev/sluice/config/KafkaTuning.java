package dev.sluice.config;

/**
 * Latency settings of the two Kafka hops on the synchronous path, the same for the ingress's
 * clients and the pipeline's (docs/benchmarks.md measures them).
 *
 * @param lingerMs {@code KAFKA_LINGER_MS}: producer {@code linger.ms}; Kafka Streams would use 100
 *     ms unless told otherwise
 * @param fetchMaxWaitMs {@code KAFKA_FETCH_MAX_WAIT_MS}: how long the broker may hold an empty
 *     fetch of the request and reply topics
 */
public record KafkaTuning(int lingerMs, int fetchMaxWaitMs) {
  public static final int DEFAULT_LINGER_MS = 0;
  public static final int DEFAULT_FETCH_MAX_WAIT_MS = 5;

  public KafkaTuning {
    if (lingerMs < 0) {
      throw new ConfigException("KAFKA_LINGER_MS must be >= 0");
    }
    if (fetchMaxWaitMs < 0) {
      throw new ConfigException("KAFKA_FETCH_MAX_WAIT_MS must be >= 0");
    }
  }

  public static KafkaTuning from(Env env) {
    return new KafkaTuning(
        env.getInt("KAFKA_LINGER_MS", DEFAULT_LINGER_MS),
        env.getInt("KAFKA_FETCH_MAX_WAIT_MS", DEFAULT_FETCH_MAX_WAIT_MS));
  }
}

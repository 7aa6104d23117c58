package dev.sluice.ingress;

import dev.sluice.config.ConfigException;
import dev.sluice.config.Env;
import dev.sluice.config.KafkaSettings;
import dev.sluice.config.RequestTimeout;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The ingress's configuration (docs/configuration.md lists every variable).
 *
 * @param replyPartitions the {@code llm.replies} partitions this instance owns; empty = all
 * @param pipelineApplicationId the pipeline's consumer group, checked for live members by /readyz
 */
public record IngressSettings(
    KafkaSettings kafka,
    int port,
    long maxRequestBytes,
    long requestTimeoutMs,
    Optional<List<Integer>> replyPartitions,
    String pipelineApplicationId,
    List<String> allowedModels,
    boolean trustForwardedFor,
    int lingerMs,
    int fetchMaxWaitMs,
    int topicPartitions,
    String policyMode) {

  public IngressSettings {
    allowedModels = List.copyOf(allowedModels);
  }

  public static IngressSettings from(Env env) {
    long maxRequestBytes = env.getLong("MAX_REQUEST_BYTES", 1024 * 1024);
    if (maxRequestBytes < 1024) {
      throw new ConfigException("MAX_REQUEST_BYTES must be at least 1024");
    }
    long requestTimeoutMs = RequestTimeout.from(env).callerWaitMs();
    return new IngressSettings(
        KafkaSettings.from(env),
        env.getInt("PORT", 8000),
        maxRequestBytes,
        requestTimeoutMs,
        env.get("INGRESS_REPLY_PARTITIONS").map(IngressSettings::partitions),
        env.get("PIPELINE_APPLICATION_ID", "sluice-pipeline"),
        Arrays.stream(env.get("ALLOWED_MODELS", "stub").split(","))
            .map(String::trim)
            .filter(s -> !s.isEmpty())
            .toList(),
        env.getBoolean("TRUST_FORWARDED_FOR", false),
        env.getInt("KAFKA_LINGER_MS", 0),
        env.getInt("KAFKA_FETCH_MAX_WAIT_MS", 5),
        env.getInt("TOPIC_PARTITIONS", 6),
        env.get("OPA_URL").isPresent() ? "OPA" : "LOCAL");
  }

  /** {@code "0,1,2"} or {@code "0-2"} or a mix. */
  static List<Integer> partitions(String spec) {
    TreeSet<Integer> owned = new TreeSet<>();
    try {
      for (String part : spec.split(",")) {
        String item = part.trim();
        if (item.isEmpty()) {
          continue;
        }
        int dash = item.indexOf('-');
        if (dash > 0) {
          int from = Integer.parseInt(item.substring(0, dash).trim());
          int to = Integer.parseInt(item.substring(dash + 1).trim());
          for (int p = from; p <= to; p++) {
            owned.add(p);
          }
        } else {
          owned.add(Integer.parseInt(item));
        }
      }
    } catch (NumberFormatException e) {
      throw new ConfigException("INGRESS_REPLY_PARTITIONS must list partitions like 0,1,4-5");
    }
    if (owned.isEmpty() || owned.first() < 0) {
      throw new ConfigException("INGRESS_REPLY_PARTITIONS must list partitions like 0,1,4-5");
    }
    return List.copyOf(owned);
  }
}

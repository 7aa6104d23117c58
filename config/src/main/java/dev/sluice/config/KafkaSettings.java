package dev.sluice.config;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * How to reach Kafka: {@code KAFKA_BOOTSTRAP_SERVERS}, plus any client setting passed through as
 * {@code KAFKA_CLIENT_<NAME>} (for example {@code KAFKA_CLIENT_SECURITY_PROTOCOL=SASL_SSL} becomes
 * {@code security.protocol}), so SASL and TLS work without code changes.
 *
 * @param external whether {@code KAFKA_BOOTSTRAP_SERVERS} was set (use that cluster, start none)
 */
public record KafkaSettings(String bootstrapServers, boolean external, Map<String, String> client) {
  public static final String DEFAULT_BOOTSTRAP = "127.0.0.1:9092";
  private static final String CLIENT_PREFIX = "KAFKA_CLIENT_";

  public KafkaSettings {
    client = Map.copyOf(client);
  }

  public static KafkaSettings from(Env env) {
    Map<String, String> client = new HashMap<>();
    for (Map.Entry<String, String> entry : env.asMap().entrySet()) {
      if (entry.getKey().startsWith(CLIENT_PREFIX) && entry.getValue() != null) {
        String name =
            entry
                .getKey()
                .substring(CLIENT_PREFIX.length())
                .toLowerCase(Locale.ROOT)
                .replace('_', '.');
        client.put(name, entry.getValue());
      }
    }
    return new KafkaSettings(
        env.get("KAFKA_BOOTSTRAP_SERVERS", DEFAULT_BOOTSTRAP),
        env.get("KAFKA_BOOTSTRAP_SERVERS").isPresent(),
        client);
  }

  /** Bootstrap servers plus the pass-through client settings. */
  public Map<String, Object> clientProperties() {
    Map<String, Object> props = new HashMap<>(client);
    props.put("bootstrap.servers", bootstrapServers);
    return props;
  }

  @Override
  public String toString() {
    // Pass-through settings may include SASL passwords.
    return "KafkaSettings[bootstrapServers="
        + bootstrapServers
        + ", client="
        + client.keySet()
        + "]";
  }
}

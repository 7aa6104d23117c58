package dev.sluice.launcher;

import dev.sluice.config.ConfigException;
import dev.sluice.config.Env;

/**
 * What only {@code scripts/run} reads; everything else it reads through the parts' own settings.
 *
 * @param kafkaPort {@code LOCAL_KAFKA_PORT}: where the local broker listens when {@code
 *     KAFKA_BOOTSTRAP_SERVERS} names no cluster
 */
record LocalRunSettings(int kafkaPort) {
  static final int DEFAULT_KAFKA_PORT = 9092;

  LocalRunSettings {
    if (kafkaPort < 1 || kafkaPort > 65_535) {
      throw new ConfigException("LOCAL_KAFKA_PORT must be from 1 to 65535");
    }
  }

  static LocalRunSettings from(Env env) {
    return new LocalRunSettings(env.getInt("LOCAL_KAFKA_PORT", DEFAULT_KAFKA_PORT));
  }
}

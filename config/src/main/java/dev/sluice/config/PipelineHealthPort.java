package dev.sluice.config;

/**
 * The pipeline's health port ({@code PIPELINE_HEALTH_PORT}, default 8081): its probes and its reply
 * stores. The ingress reads the same setting to find the local pipeline's reply store when {@code
 * REPLY_STORE_URL} is not set.
 */
public final class PipelineHealthPort {
  public static final int DEFAULT = 8081;

  private PipelineHealthPort() {}

  public static int from(Env env) {
    int port = env.getInt("PIPELINE_HEALTH_PORT", DEFAULT);
    if (port < 0 || port > 65_535) {
      throw new ConfigException("PIPELINE_HEALTH_PORT must be from 0 to 65535");
    }
    return port;
  }
}

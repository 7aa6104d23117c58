package dev.sluice.config;

import java.util.regex.Pattern;

/**
 * The pipeline's Kafka Streams application id ({@code PIPELINE_APPLICATION_ID}, default {@code
 * sluice-pipeline}): its consumer group and the prefix of its internal topics. The ingress reads
 * the same setting to check that group for live members before it says it is ready.
 */
public record PipelineApplication(String id) {
  public static final String DEFAULT_ID = "sluice-pipeline";
  // Kafka's own rule for topic names, which the id prefixes (less room for the suffixes).
  private static final Pattern LEGAL = Pattern.compile("[A-Za-z0-9._-]{1,200}");

  public PipelineApplication {
    if (id == null || !LEGAL.matcher(id).matches()) {
      throw new ConfigException(
          "PIPELINE_APPLICATION_ID must be 1 to 200 letters, digits, '.', '_' or '-'");
    }
  }

  public static PipelineApplication from(Env env) {
    return new PipelineApplication(env.get("PIPELINE_APPLICATION_ID", DEFAULT_ID));
  }
}

package dev.sluice.ingress;

import dev.sluice.config.ConfigException;
import dev.sluice.config.Env;
import dev.sluice.config.KafkaSettings;
import dev.sluice.config.KafkaTuning;
import dev.sluice.config.PipelineApplication;
import dev.sluice.config.PipelineHealthPort;
import dev.sluice.config.RequestTimeout;
import dev.sluice.topics.TopicSettings;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The ingress's configuration (docs/configuration.md lists every variable). Which models a caller
 * may use is not here: {@link dev.sluice.policy.ModelAccess} owns that.
 *
 * @param tuning latency settings of its producer and reply consumer, shared with the pipeline
 * @param topics how the topics are created when the ingress starts first
 * @param pipeline the pipeline's application, whose consumer group /readyz checks for live members
 * @param port {@code PORT}; 0 picks a free port
 * @param maxRequestBytes {@code MAX_REQUEST_BYTES}: larger bodies get 413
 * @param requestTimeoutMs how long a caller waits ({@link RequestTimeout})
 * @param replyPartitions the {@code llm.replies} partitions this instance owns; empty = all
 * @param trustForwardedFor {@code TRUST_FORWARDED_FOR}: take the client address from {@code
 *     X-Forwarded-For} (its right-most entry, see {@link ClientAddress})
 * @param requestBodyTimeoutMs {@code REQUEST_BODY_TIMEOUT_MS}: how long a caller may take to send a
 *     request body, from the end of its headers to its last byte; slower bodies get 408
 * @param authFailureLimitPerSecond {@code AUTH_FAILURE_LIMIT_PER_SECOND}: failed authentications a
 *     client address may have in any second before all its requests get 429 ({@link
 *     AuthFailureLimiter}); 0 turns the limit off
 * @param replyStoreUrl {@code REPLY_STORE_URL}: a pipeline instance's health port, which serves the
 *     reply store ({@code GET /v1/requests/{id}})
 */
public record IngressSettings(
    KafkaSettings kafka,
    KafkaTuning tuning,
    TopicSettings topics,
    PipelineApplication pipeline,
    int port,
    long maxRequestBytes,
    long requestTimeoutMs,
    Optional<List<Integer>> replyPartitions,
    boolean trustForwardedFor,
    long requestBodyTimeoutMs,
    int authFailureLimitPerSecond,
    URI replyStoreUrl) {
  public static final int DEFAULT_PORT = 8000;
  public static final long DEFAULT_MAX_REQUEST_BYTES = 1024 * 1024;
  public static final long MIN_REQUEST_BYTES = 1024;
  // Room for a 1 MiB body over a slow mobile link (about 1 Mbit/s takes 8 s), not for a trickle.
  public static final long DEFAULT_REQUEST_BODY_TIMEOUT_MS = 30_000;
  public static final long MIN_REQUEST_BODY_TIMEOUT_MS = 100;
  public static final long MAX_REQUEST_BODY_TIMEOUT_MS = 600_000;
  // The original gateway's limit for anonymous callers.
  public static final int DEFAULT_AUTH_FAILURE_LIMIT_PER_SECOND = 5;
  public static final int MAX_AUTH_FAILURE_LIMIT_PER_SECOND = 1_000;

  public IngressSettings {
    Objects.requireNonNull(kafka, "kafka");
    Objects.requireNonNull(tuning, "tuning");
    Objects.requireNonNull(topics, "topics");
    Objects.requireNonNull(pipeline, "pipeline");
    Objects.requireNonNull(replyPartitions, "replyPartitions");
    Objects.requireNonNull(replyStoreUrl, "replyStoreUrl");
    if (!replyStoreUrl.isAbsolute()
        || !("http".equals(replyStoreUrl.getScheme()) || "https".equals(replyStoreUrl.getScheme()))
        || replyStoreUrl.getHost() == null) {
      throw new ConfigException("REPLY_STORE_URL must be an http(s) URL such as http://host:8081");
    }
    if (port < 0 || port > 65_535) {
      throw new ConfigException("PORT must be from 0 to 65535");
    }
    if (maxRequestBytes < MIN_REQUEST_BYTES) {
      throw new ConfigException("MAX_REQUEST_BYTES must be at least " + MIN_REQUEST_BYTES);
    }
    if (requestBodyTimeoutMs < MIN_REQUEST_BODY_TIMEOUT_MS
        || requestBodyTimeoutMs > MAX_REQUEST_BODY_TIMEOUT_MS) {
      throw new ConfigException(
          "REQUEST_BODY_TIMEOUT_MS must be from "
              + MIN_REQUEST_BODY_TIMEOUT_MS
              + " to "
              + MAX_REQUEST_BODY_TIMEOUT_MS);
    }
    if (authFailureLimitPerSecond < 0
        || authFailureLimitPerSecond > MAX_AUTH_FAILURE_LIMIT_PER_SECOND) {
      throw new ConfigException(
          "AUTH_FAILURE_LIMIT_PER_SECOND must be from 0 (off) to "
              + MAX_AUTH_FAILURE_LIMIT_PER_SECOND);
    }
    replyPartitions = replyPartitions.map(List::copyOf);
  }

  public static IngressSettings from(Env env) {
    return new IngressSettings(
        KafkaSettings.from(env),
        KafkaTuning.from(env),
        TopicSettings.from(env),
        PipelineApplication.from(env),
        env.getInt("PORT", DEFAULT_PORT),
        env.getLong("MAX_REQUEST_BYTES", DEFAULT_MAX_REQUEST_BYTES),
        RequestTimeout.from(env).callerWaitMs(),
        env.get("INGRESS_REPLY_PARTITIONS").map(IngressSettings::partitions),
        env.getBoolean("TRUST_FORWARDED_FOR", false),
        env.getLong("REQUEST_BODY_TIMEOUT_MS", DEFAULT_REQUEST_BODY_TIMEOUT_MS),
        env.getInt("AUTH_FAILURE_LIMIT_PER_SECOND", DEFAULT_AUTH_FAILURE_LIMIT_PER_SECOND),
        replyStoreUrl(env));
  }

  /**
   * {@code REPLY_STORE_URL}: a pipeline instance's health port, where stored replies are read
   * ({@code GET /v1/requests/{id}}). By default the local pipeline's, as {@code scripts/run} starts
   * it beside the ingress ({@code PIPELINE_HEALTH_PORT}).
   */
  private static URI replyStoreUrl(Env env) {
    String url =
        env.get("REPLY_STORE_URL").orElse("http://127.0.0.1:" + PipelineHealthPort.from(env));
    try {
      return new URI(url.trim());
    } catch (URISyntaxException e) {
      throw new ConfigException("REPLY_STORE_URL must be an http(s) URL such as http://host:8081");
    }
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

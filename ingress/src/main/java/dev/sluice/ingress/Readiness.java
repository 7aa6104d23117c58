package dev.sluice.ingress;

import dev.sluice.topics.Topics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeConsumerGroupsOptions;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.common.GroupState;

/**
 * Whether the gateway can answer: Kafka answers, the topics exist, and the pipeline's consumer
 * group has live members (which may be other processes). Asked through the Admin API without
 * blocking a request thread, and cached briefly so probes cannot flood the broker.
 */
final class Readiness {
  /** The checks by name, and whether they all pass. */
  record Report(String mode, boolean ready, Map<String, Boolean> checks, String policyVersion) {}

  private static final long CACHE_MS = 1_000;
  private static final int TIMEOUT_MS = 2_000;

  private final Supplier<CompletableFuture<Report>> probe;
  private volatile CompletableFuture<Report> cached;
  private volatile long cachedAtMs;

  /**
   * @param opaUrl OPA's base URL in OPA mode, or null
   */
  Readiness(Admin admin, String pipelineGroup, String mode, String policyVersion, String opaUrl) {
    this(new ClusterProbe(admin, pipelineGroup, mode, policyVersion, opaUrl));
  }

  /**
   * @param probe asks how Kafka, the topics, the pipeline (and OPA) stand; never fails
   */
  Readiness(Supplier<CompletableFuture<Report>> probe) {
    this.probe = probe;
  }

  /**
   * @param repliesReadable whether this instance's reply reader is running
   */
  CompletableFuture<Report> check(boolean repliesReadable) {
    long now = System.currentTimeMillis();
    CompletableFuture<Report> current = cached;
    if (current == null || now - cachedAtMs >= CACHE_MS) {
      current = probe.get();
      cached = current;
      cachedAtMs = now;
    }
    return current.thenApply(report -> withReplies(report, repliesReadable));
  }

  private static Report withReplies(Report report, boolean repliesReadable) {
    Map<String, Boolean> checks = new LinkedHashMap<>(report.checks());
    checks.put("replies", repliesReadable);
    return new Report(
        report.mode(), report.ready() && repliesReadable, checks, report.policyVersion());
  }

  /** Asks through the Admin API (and OPA's health API in OPA mode) without blocking. */
  private static final class ClusterProbe implements Supplier<CompletableFuture<Report>> {
    private final Admin admin;
    private final String pipelineGroup;
    private final String mode;
    private final String policyVersion;
    private final URI opaHealth;
    private final HttpClient http;

    ClusterProbe(
        Admin admin, String pipelineGroup, String mode, String policyVersion, String opaUrl) {
      this.admin = admin;
      this.pipelineGroup = pipelineGroup;
      this.mode = mode;
      this.policyVersion = policyVersion;
      this.opaHealth = opaUrl == null ? null : URI.create(opaUrl).resolve("/health");
      this.http =
          opaUrl == null
              ? null
              : HttpClient.newBuilder()
                  .connectTimeout(Duration.ofMillis(TIMEOUT_MS))
                  .followRedirects(HttpClient.Redirect.NEVER)
                  .build();
    }

    @Override
    public CompletableFuture<Report> get() {
      CompletableFuture<Boolean> kafka =
          admin
              .describeCluster(new DescribeClusterOptions().timeoutMs(TIMEOUT_MS))
              .nodes()
              .toCompletionStage()
              .toCompletableFuture()
              .thenApply(nodes -> !nodes.isEmpty())
              .exceptionally(e -> false);
      CompletableFuture<Boolean> topics =
          admin
              .describeTopics(
                  List.of(Topics.REQUESTS.name(), Topics.REPLIES.name()),
                  new DescribeTopicsOptions().timeoutMs(TIMEOUT_MS))
              .allTopicNames()
              .toCompletionStage()
              .toCompletableFuture()
              .thenApply(found -> found.size() == 2)
              .exceptionally(e -> false);
      CompletableFuture<Boolean> pipeline =
          admin
              .describeConsumerGroups(
                  List.of(pipelineGroup), new DescribeConsumerGroupsOptions().timeoutMs(TIMEOUT_MS))
              .describedGroups()
              .get(pipelineGroup)
              .toCompletionStage()
              .toCompletableFuture()
              .thenApply(Readiness::pipelineLive)
              .exceptionally(e -> false);
      CompletableFuture<Boolean> opa = opaAnswers().exceptionally(e -> false);
      // Every check answers false on failure, so allOf never fails and join never throws.
      return CompletableFuture.allOf(opa, kafka, topics, pipeline)
          .thenApply(
              done -> {
                Map<String, Boolean> checks = new LinkedHashMap<>();
                checks.put("kafka", kafka.join());
                checks.put("topics", topics.join());
                checks.put("pipeline", pipeline.join());
                if (opaHealth != null) {
                  checks.put("opa", opa.join());
                }
                boolean ready = !checks.containsValue(false);
                return new Report(mode, ready, checks, policyVersion);
              })
          .orTimeout(TIMEOUT_MS * 2L, TimeUnit.MILLISECONDS)
          .exceptionally(
              e ->
                  new Report(
                      mode,
                      false,
                      Map.of("kafka", false, "topics", false, "pipeline", false),
                      policyVersion));
    }

    /** In OPA mode, whether OPA's health API answers 200 (fail closed: not ready otherwise). */
    private CompletableFuture<Boolean> opaAnswers() {
      if (opaHealth == null) {
        return CompletableFuture.completedFuture(true);
      }
      return http.sendAsync(
              HttpRequest.newBuilder(opaHealth)
                  .timeout(Duration.ofMillis(TIMEOUT_MS))
                  .GET()
                  .build(),
              HttpResponse.BodyHandlers.discarding())
          .thenApply(response -> response.statusCode() == 200);
    }
  }

  /** Live means members are in the group and it is not in the middle of a rebalance. */
  static boolean pipelineLive(ConsumerGroupDescription group) {
    return !group.members().isEmpty() && group.groupState() == GroupState.STABLE;
  }
}

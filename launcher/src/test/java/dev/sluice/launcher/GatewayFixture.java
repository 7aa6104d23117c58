package dev.sluice.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.auth.TokenMinter;
import dev.sluice.config.Env;
import dev.sluice.devkafka.LocalBroker;
import dev.sluice.ingress.IngressMain;
import dev.sluice.pipeline.chain.StageChain;
import dev.sluice.schemas.Json;
import dev.sluice.topics.TopicProvisioner;
import dev.sluice.topics.TopicSettings;
import dev.sluice.topics.Topics;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A whole gateway on one machine for end-to-end tests: a real KRaft broker inside the test JVM, the
 * pipeline as a child JVM on the test classpath (as {@code scripts/run} starts it), and the ingress
 * in-process on a free port; or, {@link #startUnderLauncher}, the pipeline and the ingress both
 * started and supervised by the launcher's {@link LocalGateway}. One per test class: the broker is
 * the slow part to start.
 */
public final class GatewayFixture implements AutoCloseable {
  /** Child JVMs are small: the stub provider needs little, and the build machine has 2 cores. */
  static final List<String> CHILD_JVM =
      List.of("-Xms32m", "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

  static final Duration START_TIMEOUT = Duration.ofSeconds(90);

  private final Path dir;
  private final LocalBroker broker;
  private final Admin admin;
  private final String secret;
  private final Map<String, String> pipelineEnv;
  private final List<IngressMain.Running> ingresses = new ArrayList<>();
  private final HttpClient http;
  private ChildProcess pipeline;
  private IngressMain.Running ingress;
  private LocalGateway launcher;
  private CompletableFuture<String> launcherGaveUp;
  private final ByteArrayOutputStream launcherLog = new ByteArrayOutputStream();

  private GatewayFixture(Path dir, Map<String, String> overrides) {
    this.dir = dir;
    LocalBroker.guardJvmExit();
    this.broker = LocalBroker.start(dir.resolve("kafka"), LocalBroker.freePort());
    this.admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()));
    this.secret = randomSecret();
    Map<String, String> env = new HashMap<>();
    env.put("KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers());
    env.put("DATA_DIR", dir.resolve("data").toString());
    env.put("PIPELINE_HEALTH_PORT", Integer.toString(LocalBroker.freePort()));
    env.put("PIPELINE_INSTANCE_ID", "e2e-" + UUID.randomUUID());
    env.put("JWT_SECRET", secret);
    env.put("DEV_MODE", "true");
    env.put("TOPIC_PARTITIONS", "6");
    env.put("REQUEST_TIMEOUT_MS", "30000");
    env.put("POLICY_DIR", repositoryPolicies().toString());
    env.putAll(overrides);
    this.pipelineEnv = Map.copyOf(env);
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
  }

  /**
   * Starts a broker, creates the topics, then the pipeline and (when {@code withIngress}) an
   * ingress, and waits until both say they are ready.
   *
   * @param overrides environment of pipeline and ingress beyond the defaults (DEV_MODE=true,
   *     REQUEST_TIMEOUT_MS=30000, a fresh 48-character JWT_SECRET, ...)
   */
  public static GatewayFixture start(Path dir, Map<String, String> overrides, boolean withIngress)
      throws Exception {
    GatewayFixture fixture = new GatewayFixture(dir, overrides);
    try {
      TopicProvisioner.ensure(fixture.admin, new TopicSettings(6));
      fixture.pipeline = fixture.startPipeline();
      if (withIngress) {
        // The ingress starts while the pipeline JVM boots; /readyz then waits for both.
        fixture.ingress = fixture.startIngress(Map.of());
        fixture.awaitIngressReady(fixture.ingress);
      }
      fixture.awaitPipelineReady(fixture.pipeline);
      return fixture;
    } catch (Exception | Error e) {
      fixture.close();
      throw e;
    }
  }

  /**
   * Starts a broker in the test JVM and creates the topics, then has the launcher ({@link
   * LocalGateway}, as {@code scripts/run} does) start the pipeline and the ingress as child JVMs,
   * waits until both are ready and supervises them with the default restart policy.
   */
  static GatewayFixture startUnderLauncher(Path dir, Map<String, String> overrides)
      throws Exception {
    Map<String, String> env = new HashMap<>(overrides);
    env.putIfAbsent("PORT", Integer.toString(LocalBroker.freePort()));
    GatewayFixture fixture = new GatewayFixture(dir, env);
    try {
      TopicProvisioner.ensure(fixture.admin, new TopicSettings(6));
      // What the launcher prints goes to the test's output and is kept for assertions.
      PrintStream log =
          new PrintStream(
              new TeeOutputStream(System.out, fixture.launcherLog), true, StandardCharsets.UTF_8);
      fixture.launcher = new LocalGateway(fixture.pipelineEnv, log, CHILD_JVM);
      fixture.launcher.startPipeline();
      fixture.launcher.startIngress();
      List<ChildProcess> parts = List.of(fixture.launcher.pipeline(), fixture.launcher.ingress());
      LocalGateway.awaitReady(
          URI.create("http://127.0.0.1:" + fixture.ingressPort() + "/readyz"),
          START_TIMEOUT,
          parts);
      fixture.awaitPipelineReady(fixture.launcher.pipeline());
      fixture.launcherGaveUp = fixture.launcher.supervise();
      return fixture;
    } catch (Exception | Error e) {
      fixture.close();
      throw e;
    }
  }

  /** Writes to two streams. */
  private static final class TeeOutputStream extends OutputStream {
    private final OutputStream first;
    private final OutputStream second;

    TeeOutputStream(OutputStream first, OutputStream second) {
      this.first = first;
      this.second = second;
    }

    @Override
    public synchronized void write(int b) throws IOException {
      first.write(b);
      second.write(b);
    }

    @Override
    public synchronized void write(byte[] bytes, int offset, int length) throws IOException {
      first.write(bytes, offset, length);
      second.write(bytes, offset, length);
    }

    @Override
    public synchronized void flush() throws IOException {
      first.flush();
      second.flush();
    }
  }

  /** The launcher of {@link #startUnderLauncher}. */
  LocalGateway launcher() {
    return launcher;
  }

  /** Completes when the launcher's supervision gives up. */
  CompletableFuture<String> launcherGaveUp() {
    return launcherGaveUp;
  }

  /** What the launcher has printed (its own lines and its children's output). */
  String launcherLog() {
    return launcherLog.toString(StandardCharsets.UTF_8);
  }

  /** A new pipeline JVM with this fixture's environment (same instance id, same data dir). */
  ChildProcess startPipeline() throws IOException {
    return ChildProcess.start(
        "pipeline",
        LocalGateway.PIPELINE_MAIN,
        List.of(),
        pipelineEnv,
        CHILD_JVM,
        line -> false,
        System.out);
  }

  void awaitPipelineReady(ChildProcess child) throws Exception {
    LocalGateway.awaitReady(
        URI.create("http://127.0.0.1:" + pipelineEnv.get("PIPELINE_HEALTH_PORT") + "/readyz"),
        START_TIMEOUT,
        List.of(child));
  }

  /** An in-process ingress on a free port; closed with the fixture. */
  IngressMain.Running startIngress(Map<String, String> overrides) throws Exception {
    Map<String, String> env = new HashMap<>(pipelineEnv);
    env.put("PORT", "0");
    env.putAll(overrides);
    IngressMain.Running running = IngressMain.start(Env.of(env));
    ingresses.add(running);
    return running;
  }

  void awaitIngressReady(IngressMain.Running running) throws Exception {
    List<ChildProcess> watched = pipeline == null ? List.of() : List.of(pipeline);
    LocalGateway.awaitReady(
        URI.create("http://127.0.0.1:" + running.port() + "/readyz"), START_TIMEOUT, watched);
  }

  String bootstrapServers() {
    return broker.bootstrapServers();
  }

  Admin admin() {
    return admin;
  }

  Path dir() {
    return dir;
  }

  Map<String, String> pipelineEnv() {
    return pipelineEnv;
  }

  /** The pipeline running now: under the launcher, the one it last (re)started. */
  ChildProcess pipeline() {
    return launcher != null ? launcher.pipeline() : pipeline;
  }

  void replacePipeline(ChildProcess next) {
    this.pipeline = next;
  }

  IngressMain.Running ingress() {
    return ingress;
  }

  HttpClient http() {
    return http;
  }

  String secret() {
    return secret;
  }

  public TokenMinter minter() {
    return TokenMinter.hs256(secret.getBytes(StandardCharsets.UTF_8));
  }

  /** The Streams changelog of the HTTP sub-topology's in-flight store. */
  String pendingCallsChangelog() {
    return pipelineEnv.getOrDefault("PIPELINE_APPLICATION_ID", "sluice-pipeline")
        + "-http"
        + StageChain.STORE_SUFFIX
        + "-changelog";
  }

  public URI url(String path) {
    return URI.create("http://127.0.0.1:" + ingressPort() + path);
  }

  /** The port of the ingress: the launcher's child's, or the in-process one's. */
  int ingressPort() {
    return launcher != null ? Integer.parseInt(pipelineEnv.get("PORT")) : ingress.port();
  }

  static URI url(IngressMain.Running running, String path) {
    return URI.create("http://127.0.0.1:" + running.port() + path);
  }

  HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(url(path)).timeout(Duration.ofSeconds(60));
  }

  HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
    return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  /** {@code POST /v1/chat/completions} with a JSON body and a bearer token. */
  HttpResponse<String> chat(String body, String token) throws IOException, InterruptedException {
    return send(
        request("/v1/chat/completions")
            .header("Content-Type", "application/json")
            .header("Authorization", "Bearer " + token)
            .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
            .build());
  }

  /** The sum over partitions of a topic's end offsets: grows by one per record produced. */
  long endOffsets(String topic) throws Exception {
    int partitions =
        admin
            .describeTopics(List.of(topic))
            .allTopicNames()
            .get(10, TimeUnit.SECONDS)
            .get(topic)
            .partitions()
            .size();
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    for (int p = 0; p < partitions; p++) {
      latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
    }
    long sum = 0;
    for (ListOffsetsResult.ListOffsetsResultInfo info :
        admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS).values()) {
      sum += info.offset();
    }
    return sum;
  }

  /**
   * Reads {@code topic} from the beginning of every partition until {@code done} holds for what was
   * read, or {@code timeout} passes; returns everything read, in poll order.
   */
  List<ConsumerRecord<String, byte[]>> readFromStart(
      String topic, Predicate<List<ConsumerRecord<String, byte[]>>> done, Duration timeout) {
    List<ConsumerRecord<String, byte[]>> read = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(
            Map.of("bootstrap.servers", bootstrapServers()),
            new StringDeserializer(),
            new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (PartitionInfo info : consumer.partitionsFor(topic)) {
        partitions.add(new TopicPartition(topic, info.partition()));
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long deadline = System.nanoTime() + timeout.toNanos();
      while (!done.test(read) && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(read::add);
      }
    }
    return read;
  }

  /** Waits until the pipeline's group has committed every record on {@code llm.requests}. */
  void awaitRequestsCommitted(Duration timeout) throws Exception {
    String group = pipelineEnv.getOrDefault("PIPELINE_APPLICATION_ID", "sluice-pipeline");
    long end = endOffsets(Topics.REQUESTS.name());
    long giveUp = System.nanoTime() + timeout.toNanos();
    long committed = 0;
    while (System.nanoTime() < giveUp) {
      committed = 0;
      for (Map.Entry<TopicPartition, OffsetAndMetadata> entry :
          admin
              .listConsumerGroupOffsets(group)
              .partitionsToOffsetAndMetadata()
              .get(10, TimeUnit.SECONDS)
              .entrySet()) {
        if (entry.getKey().topic().equals(Topics.REQUESTS.name()) && entry.getValue() != null) {
          committed += entry.getValue().offset();
        }
      }
      if (committed >= end) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError(
        "the pipeline committed " + committed + " of " + end + " request offsets in time");
  }

  /**
   * Reads the in-flight store's changelog until each message is the text of a live pending entry:
   * then every call has been started by the pipeline and would be lost if the store were not
   * restored.
   */
  void awaitPendingOnChangelog(List<String> messages, Duration timeout) throws Exception {
    String changelog = pendingCallsChangelog();
    Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 50);
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
      int partitions =
          admin
              .describeTopics(List.of(changelog))
              .allTopicNames()
              .get(10, TimeUnit.SECONDS)
              .get(changelog)
              .partitions()
              .size();
      List<TopicPartition> assigned = new ArrayList<>();
      for (int p = 0; p < partitions; p++) {
        assigned.add(new TopicPartition(changelog, p));
      }
      consumer.assign(assigned);
      consumer.seekToBeginning(assigned);

      // Each live entry's JSON string values: a message is pending when one of them equals it.
      Map<String, Set<String>> live = new HashMap<>();
      long giveUp = System.nanoTime() + timeout.toNanos();
      while (true) {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(50))) {
          if (record.value() == null) {
            live.remove(record.key());
          } else {
            live.put(record.key(), texts(json(record.value())));
          }
        }
        Set<String> pending = new HashSet<>();
        live.values().forEach(pending::addAll);
        List<String> missing =
            messages.stream().filter(message -> !pending.contains(message)).toList();
        if (missing.isEmpty()) {
          return;
        }
        if (System.nanoTime() > giveUp) {
          throw new AssertionError(
              missing.size()
                  + " of "
                  + messages.size()
                  + " calls never appeared on "
                  + changelog
                  + " within "
                  + timeout.toMillis()
                  + " ms");
        }
      }
    }
  }

  private static Set<String> texts(JsonNode node) {
    Set<String> texts = new HashSet<>();
    List<JsonNode> open = new ArrayList<>(List.of(node));
    while (!open.isEmpty()) {
      JsonNode next = open.remove(open.size() - 1);
      if (next.isTextual()) {
        texts.add(next.textValue());
      } else {
        next.elements().forEachRemaining(open::add);
      }
    }
    return texts;
  }

  static JsonNode json(String body) {
    try {
      return Json.mapper().readTree(body);
    } catch (IOException e) {
      throw new UncheckedIOException("not JSON: " + body, e);
    }
  }

  static String chatBody(String text) {
    return chatBody("stub", text);
  }

  static String chatBody(String model, String text) {
    return "{\"model\":"
        + quote(model)
        + ",\"messages\":[{\"role\":\"user\",\"content\":"
        + quote(text)
        + "}]}";
  }

  static String quote(String text) {
    try {
      return Json.mapper().writeValueAsString(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Writes a policy bundle to {@code dir} whose default allows {@code models} (each {@code
   * provider:model}) and their providers only, whatever else {@code ALLOWED_MODELS} enables.
   */
  public static Path policyBundle(Path dir, String... models) throws IOException {
    Set<String> providers = new TreeSet<>();
    List<String> quoted = new ArrayList<>();
    for (String model : models) {
      int colon = model.indexOf(':');
      providers.add(quote(colon < 0 ? model : model.substring(0, colon)));
      quoted.add(quote(model));
    }
    Files.createDirectories(dir);
    Files.writeString(
        dir.resolve("default.yaml"),
        "models:\n  allowed: ["
            + String.join(", ", quoted)
            + "]\nproviders:\n  allowed: ["
            + String.join(", ", providers)
            + "]\n",
        StandardCharsets.UTF_8);
    return dir;
  }

  /**
   * The environment of a gateway whose OpenAI provider is a stand-in at {@code standIn} (its base
   * URL, without {@code /v1}) taking {@code key}, enabling {@code models} under the bundle in
   * {@code policies}, plus {@code more}.
   */
  public static Map<String, String> openAiStandIn(
      URI standIn, String key, Path policies, List<String> models, Map<String, String> more) {
    Map<String, String> env = new HashMap<>();
    env.put("OPENAI_BASE_URL", standIn + "/v1");
    env.put("OPENAI_API_KEY", key);
    env.put("ALLOWED_MODELS", String.join(",", models));
    env.put("POLICY_DIR", policies.toString());
    env.putAll(more);
    return env;
  }

  /** Closes each part that was started, in order: a test's gateway, then its stand-ins. */
  public static void closeAll(AutoCloseable... parts) throws Exception {
    for (AutoCloseable part : parts) {
      if (part != null) {
        part.close();
      }
    }
  }

  /** The repository's shipped policy bundle, found above the working directory. */
  static Path repositoryPolicies() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isRegularFile(dir.resolve("policies/default.yaml"))) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw new IllegalStateException("no policies/default.yaml above the working directory");
    }
    return dir.resolve("policies");
  }

  private static String randomSecret() {
    byte[] random = new byte[36];
    new SecureRandom().nextBytes(random);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(random);
  }

  @Override
  public void close() {
    if (launcher != null) {
      // As Ctrl-C does: supervision ends, then the ingress, the pipeline.
      launcher.close();
    }
    for (IngressMain.Running running : ingresses) {
      running.close();
    }
    ingresses.clear();
    if (pipeline != null) {
      try {
        // The broker goes next: a clean leave would buy nothing, so no grace period.
        pipeline.kill();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    admin.close(Duration.ofSeconds(5));
    broker.close();
  }
}

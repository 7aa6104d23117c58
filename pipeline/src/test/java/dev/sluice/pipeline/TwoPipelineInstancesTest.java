package dev.sluice.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.auth.TestTokens;
import dev.sluice.config.Env;
import dev.sluice.devkafka.LocalBroker;
import dev.sluice.pipeline.reply.ReplyLookup;
import dev.sluice.schemas.RequestIds;
import dev.sluice.schemas.reply.ReplyEnvelope;
import dev.sluice.topics.JsonSerde;
import dev.sluice.topics.TopicProvisioner;
import dev.sluice.topics.TopicSettings;
import dev.sluice.topics.Topics;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TopologyConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two pipeline instances in one group on a real broker, each with its health port serving its reply
 * stores, as {@link PipelineMain} runs them.
 *
 * <p>Any instance finds any tenant's reply by request id: a lookup for a partition the other
 * instance runs is forwarded there (interactive queries), and another tenant's credential finds
 * nothing.
 *
 * <p>The state-store rate limits are exact: a tenant sending ten times its limit at once, from
 * several threads, gets exactly its limit of 200s and a 429 {@code rate_limited} for every other
 * request, whichever instance owns it, and so does each of several tenants at once. Requests are
 * keyed by tenant, so one task (on one of the two instances) decides alone for each tenant.
 */
class TwoPipelineInstancesTest {
  private static final int PARTITIONS = 6;
  private static final int SOLO_LIMIT = 20;
  private static final String SOLO = "solo";
  private static final JsonSerde<ReplyEnvelope> REPLY = JsonSerde.of(ReplyEnvelope.class);
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir static Path dir;

  private static LocalBroker broker;
  private static final List<Instance> instances = new ArrayList<>();
  private static KafkaProducer<String, String> producer;

  /** One tenant per partition of the request topic, so that both instances own some. */
  private static final Map<String, Integer> spread = new LinkedHashMap<>();

  /** A pipeline instance: its wiring (provider threads, verifier), its Streams app and its port. */
  private record Instance(
      String id, PipelineWiring wiring, KafkaStreams streams, PipelineHealth health) {}

  @BeforeAll
  static void start() throws Exception {
    LocalBroker.guardJvmExit();
    broker = LocalBroker.start(dir.resolve("kafka"), LocalBroker.freePort());
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
      TopicProvisioner.ensure(admin, new TopicSettings(PARTITIONS));
    }
    Path policies = bundle();
    for (String id : List.of("pipeline-rl-a", "pipeline-rl-b")) {
      instances.add(startInstance(id, policies));
    }
    awaitTasksSplit();

    Map<String, Object> producerProps = new HashMap<>();
    producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    producerProps.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    producer = new KafkaProducer<>(producerProps, new StringSerializer(), new StringSerializer());
  }

  @AfterAll
  static void stop() {
    if (producer != null) {
      producer.close(Duration.ofSeconds(5));
    }
    for (Instance instance : instances) {
      instance.health().close();
      instance.streams().close(Duration.ofSeconds(10));
      instance.wiring().close();
    }
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  void aTenantSendingTenTimesItsLimitAtOnceGetsExactlyItsLimit() throws Exception {
    Map<String, ReplyEnvelope> replies = sendAtOnce(Map.of(SOLO, 10 * SOLO_LIMIT));

    assertExactly(replies, SOLO, SOLO_LIMIT);
  }

  @Test
  void severalTenantsAtOnceOnBothInstancesEachGetExactlyTheirOwnLimit() throws Exception {
    Map<String, Set<String>> owners = owners();
    assertThat(owners.values())
        .as("the tenants' partitions are split between the two instances (%s)", owners)
        .hasSize(2)
        .allSatisfy(tenants -> assertThat(tenants).isNotEmpty());
    System.out.printf("TwoPipelineInstancesTest: tenants by instance %s%n", owners);

    Map<String, Integer> load = new LinkedHashMap<>();
    spread.forEach((tenant, limit) -> load.put(tenant, 10 * limit));
    Map<String, ReplyEnvelope> replies = sendAtOnce(load);

    spread.forEach((tenant, limit) -> assertExactly(replies, tenant, limit));
  }

  @Test
  void eitherInstanceFindsEveryTenantsReplyAndNoOtherTenantDoes() throws Exception {
    // Unlimited tenants of their own, one per partition, so that both instances keep some.
    Map<String, Integer> load = new LinkedHashMap<>();
    Set<Integer> covered = new TreeSet<>();
    for (int i = 0; covered.size() < PARTITIONS; i++) {
      if (covered.add(partitionOf("lookup-" + i))) {
        load.put("lookup-" + i, 2);
      }
    }
    Map<String, ReplyEnvelope> replies = sendAtOnce(load);

    for (ReplyEnvelope reply : replies.values()) {
      String token = TestTokens.mint(reply.tenant(), Instant.now());
      for (Instance instance : instances) {
        HttpResponse<byte[]> found = lookup(instance, reply.requestId(), token);
        assertThat(found.statusCode())
            .as("%s's reply from %s", reply.tenant(), instance.id())
            .isEqualTo(200);
        assertThat(REPLY.fromBytes(found.body())).isEqualTo(reply.withNonce(null));
      }
      // Another tenant of the same partition: the same task's store, which keeps it out.
      String neighbour = "stranger-0";
      for (int i = 1; partitionOf(neighbour) != partitionOf(reply.tenant()); i++) {
        neighbour = "stranger-" + i;
      }
      String stranger = TestTokens.mint(neighbour, Instant.now());
      assertThat(lookup(instances.get(0), reply.requestId(), stranger).statusCode()).isEqualTo(404);
    }
    String anyId = replies.keySet().iterator().next();
    assertThat(lookup(instances.get(0), anyId, null).statusCode()).isEqualTo(401);
    assertThat(lookup(instances.get(0), anyId, "forged").statusCode()).isEqualTo(401);
    String token = TestTokens.mint(SOLO, Instant.now());
    assertThat(lookup(instances.get(1), RequestIds.next(), token).statusCode()).isEqualTo(404);
    assertThat(lookup(instances.get(1), "..%2F..%2Fetc", token).statusCode()).isEqualTo(404);
  }

  private static HttpResponse<byte[]> lookup(Instance instance, String requestId, String token)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(
                URI.create(
                    "http://127.0.0.1:" + instance.health().port() + ReplyLookup.PATH + requestId))
            .timeout(Duration.ofSeconds(10));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return HTTP.send(request.GET().build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  // ---------------------------------------------------------------- helpers

  private static void assertExactly(Map<String, ReplyEnvelope> replies, String tenant, int limit) {
    List<ReplyEnvelope> own =
        replies.values().stream().filter(reply -> tenant.equals(reply.tenant())).toList();
    assertThat(own).as("%s's replies", tenant).hasSize(10 * limit);
    List<ReplyEnvelope> refused = own.stream().filter(reply -> reply.status() != 200).toList();
    assertThat(own.size() - refused.size()).as("%s answered 200", tenant).isEqualTo(limit);
    assertThat(refused).as("%s refused", tenant).hasSize(9 * limit);
    assertThat(refused)
        .allSatisfy(
            reply -> {
              assertThat(reply.status()).isEqualTo(429);
              assertThat(reply.error().code()).isEqualTo("rate_limited");
              assertThat(reply.error().reasons()).containsExactly("requests");
            });
  }

  /**
   * Produces {@code load} (requests per tenant) to {@code llm.requests} from four threads, as the
   * ingress does (key = tenant, a valid token), and waits for a reply to each.
   */
  private static Map<String, ReplyEnvelope> sendAtOnce(Map<String, Integer> load) throws Exception {
    List<String[]> planned = new ArrayList<>();
    load.forEach(
        (tenant, count) ->
            IntStream.range(0, count)
                .forEach(i -> planned.add(new String[] {tenant, RequestIds.next()})));
    Map<String, String> tokens = new HashMap<>();
    load.keySet().forEach(tenant -> tokens.put(tenant, TestTokens.mint(tenant, Instant.now())));

    int threads = 4;
    ExecutorService senders = Executors.newFixedThreadPool(threads);
    try {
      List<Future<List<RecordMetadata>>> sent = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int first = t;
        sent.add(
            senders.submit(
                () -> {
                  List<Future<RecordMetadata>> acks = new ArrayList<>();
                  for (int i = first; i < planned.size(); i += threads) {
                    String tenant = planned.get(i)[0];
                    String requestId = planned.get(i)[1];
                    String envelope =
                        Envelopes.json(
                            Envelopes.envelope(
                                requestId, tenant, tokens.get(tenant), "stub", "hello " + i));
                    acks.add(
                        producer.send(
                            new ProducerRecord<>(Topics.REQUESTS.name(), tenant, envelope)));
                  }
                  List<RecordMetadata> done = new ArrayList<>();
                  for (int a = 0; a < acks.size(); a++) {
                    RecordMetadata ack = acks.get(a).get(30, TimeUnit.SECONDS);
                    String tenant = planned.get(first + a * threads)[0];
                    // The tenants were chosen by partition: the producer must agree.
                    assertThat(ack.partition()).as(tenant).isEqualTo(partitionOf(tenant));
                    done.add(ack);
                  }
                  return done;
                }));
      }
      for (Future<List<RecordMetadata>> batch : sent) {
        batch.get(60, TimeUnit.SECONDS);
      }
    } finally {
      senders.shutdownNow();
    }
    Set<String> ids = planned.stream().map(p -> p[1]).collect(Collectors.toSet());
    return awaitReplies(ids, Duration.ofSeconds(45));
  }

  /** Reads {@code llm.replies} from the start until every id in {@code ids} has a reply. */
  private static Map<String, ReplyEnvelope> awaitReplies(Set<String> ids, Duration timeout) {
    Map<String, ReplyEnvelope> replies = new HashMap<>();
    Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100);
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions =
          IntStream.range(0, PARTITIONS)
              .mapToObj(p -> new TopicPartition(Topics.REPLIES.name(), p))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long giveUp = System.nanoTime() + timeout.toNanos();
      while (!replies.keySet().containsAll(ids) && System.nanoTime() < giveUp) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          if (!ids.contains(record.key())) {
            continue;
          }
          ReplyEnvelope reply = REPLY.fromBytes(record.value());
          ReplyEnvelope earlier = replies.putIfAbsent(record.key(), reply);
          // At least once: a reply may be produced twice, never with another answer.
          if (earlier != null) {
            assertThat(reply.status()).as("a repeated reply").isEqualTo(earlier.status());
          }
        }
      }
    }
    assertThat(replies.keySet())
        .as("replies within %s; streams %s", timeout, states())
        .containsAll(ids);
    return replies;
  }

  /**
   * An empty default and one file per limited tenant: {@code solo} and one tenant for each
   * partition of the request topic, with limits of its own (6 to 11).
   */
  private static Path bundle() throws Exception {
    Path policies = dir.resolve("policies");
    Files.createDirectories(policies.resolve("tenants"));
    Files.writeString(policies.resolve("default.yaml"), "", StandardCharsets.UTF_8);
    writeLimit(policies, SOLO, SOLO_LIMIT);
    Set<Integer> covered = new TreeSet<>();
    for (int i = 0; covered.size() < PARTITIONS; i++) {
      String tenant = "tenant-" + i;
      int partition = partitionOf(tenant);
      if (covered.add(partition)) {
        int limit = 6 + spread.size();
        spread.put(tenant, limit);
        writeLimit(policies, tenant, limit);
      }
    }
    return policies;
  }

  private static void writeLimit(Path policies, String tenant, int limit) throws Exception {
    Files.writeString(
        policies.resolve("tenants/" + tenant + ".yaml"),
        "rate_limits: {requests: " + limit + ", window_ms: 60000}\n",
        StandardCharsets.UTF_8);
  }

  /** The producer's default partitioner, for a record keyed by tenant. */
  private static int partitionOf(String tenant) {
    return Utils.toPositive(Utils.murmur2(tenant.getBytes(StandardCharsets.UTF_8))) % PARTITIONS;
  }

  /** A pipeline as {@link PipelineMain} wires it, with its own instance id and state directory. */
  private static Instance startInstance(String id, Path policies) throws IOException {
    Map<String, String> env = new HashMap<>();
    env.put("KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers());
    env.put("DATA_DIR", dir.resolve("data-" + id).toString());
    env.put("PIPELINE_INSTANCE_ID", id);
    env.put("STREAM_THREADS", "1");
    env.put("JWT_SECRET", new String(TestTokens.SECRET, StandardCharsets.UTF_8));
    env.put("POLICY_DIR", policies.toString());
    env.put("PIPELINE_HEALTH_PORT", Integer.toString(LocalBroker.freePort()));
    PipelineConfig config = PipelineConfig.from(Env.of(env));
    PipelineWiring wiring = PipelineWiring.wire(config);
    Properties props = StreamsProperties.requests(config.pipeline());
    KafkaStreams streams =
        new KafkaStreams(
            GatewayTopology.build(
                new StreamsBuilder(new TopologyConfig(new StreamsConfig(props))), wiring.stages()),
            props);
    PipelineSettings settings = config.pipeline();
    PipelineHealth health =
        new PipelineHealth(
            settings.bindAddress(),
            settings.healthPort(),
            streams::state,
            () -> true,
            () -> null,
            PipelineMain.replyEndpoint(streams, settings, wiring));
    streams.start();
    return new Instance(id, wiring, streams, health);
  }

  /** Waits until both instances run and each owns at least one partition of the request topic. */
  private static void awaitTasksSplit() throws InterruptedException {
    long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < giveUp) {
      boolean running =
          instances.stream().allMatch(i -> i.streams().state() == KafkaStreams.State.RUNNING);
      if (running && instances.stream().allMatch(i -> !requestPartitions(i).isEmpty())) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("the two instances never split the tasks: " + states());
  }

  /** The partitions of {@code llm.requests} whose tasks {@code instance} runs now. */
  private static Set<Integer> requestPartitions(Instance instance) {
    return instance.streams().metadataForLocalThreads().stream()
        .flatMap(thread -> thread.activeTasks().stream())
        .flatMap(task -> task.topicPartitions().stream())
        .filter(partition -> partition.topic().equals(Topics.REQUESTS.name()))
        .map(TopicPartition::partition)
        .collect(Collectors.toCollection(TreeSet::new));
  }

  /** Which instance serves which of the spread tenants, by the partition each is keyed to. */
  private static Map<String, Set<String>> owners() {
    Map<String, Set<String>> owners = new HashMap<>();
    for (Instance instance : instances) {
      Set<Integer> owned = requestPartitions(instance);
      Set<String> tenants = new TreeSet<>();
      spread.keySet().stream().filter(t -> owned.contains(partitionOf(t))).forEach(tenants::add);
      owners.put(instance.id(), tenants);
    }
    return owners;
  }

  private static String states() {
    return instances.stream()
        .map(i -> i.id() + "=" + i.streams().state() + " " + requestPartitions(i))
        .collect(Collectors.joining(", "));
  }
}

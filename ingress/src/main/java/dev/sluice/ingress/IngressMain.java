package dev.sluice.ingress;

import dev.sluice.auth.AuthSettings;
import dev.sluice.auth.TokenVerifier;
import dev.sluice.config.BindAddress;
import dev.sluice.config.ConfigException;
import dev.sluice.config.Env;
import dev.sluice.config.ParentWatch;
import dev.sluice.policy.EnabledModels;
import dev.sluice.policy.ModelAccess;
import dev.sluice.policy.OpaSettings;
import dev.sluice.policy.PolicyBundle;
import dev.sluice.policy.PolicyException;
import dev.sluice.topics.TopicProvisioner;
import dev.sluice.topics.Topics;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts the ingress: configuration, Kafka clients, then the HTTP server. */
public final class IngressMain {
  private static final Logger LOGGER = LoggerFactory.getLogger(IngressMain.class);

  private IngressMain() {}

  /** A started ingress and what it holds open. */
  public static final class Running implements AutoCloseable {
    private final GatewayApp app;
    private final AutoCloseable[] resources;

    Running(GatewayApp app, AutoCloseable... resources) {
      this.app = app;
      this.resources = resources;
    }

    public int port() {
      return app.javalin().port();
    }

    @Override
    public void close() {
      // Answers waiting callers 503 before the HTTP server goes, then stops it.
      app.stop();
      for (AutoCloseable resource : resources) {
        try {
          resource.close();
        } catch (Exception e) {
          LOGGER.atWarn().setCause(e).log("error while stopping");
        }
      }
    }
  }

  public static void main(String[] args) throws Exception {
    Env env = Env.load();
    ParentWatch.startIfAsked(env);
    Running running;
    try {
      running = start(env);
    } catch (ConfigException | PolicyException e) {
      System.err.println("sluice ingress: " + e.getMessage());
      System.exit(2);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  running.close();
                  stopped.countDown();
                },
                "ingress-shutdown"));
    stopped.await();
  }

  /** Starts an ingress with {@code env}; {@code PORT=0} picks a free port. */
  public static Running start(Env env) throws Exception {
    IngressSettings settings = IngressSettings.from(env);
    BindAddress bind = BindAddress.from(env);
    AuthSettings authSettings = AuthSettings.from(env);
    PolicyBundle policy = PolicyBundle.configured(env);
    ModelAccess models = new ModelAccess(EnabledModels.from(env), policy);
    OpaSettings opa = OpaSettings.from(env);
    // DEV_MODE is announced by the token verifier itself.
    Map<String, Object> client = settings.kafka().clientProperties();
    Admin admin = Admin.create(client);
    TopicProvisioner.ensure(admin, settings.topics());
    int replyPartitions =
        admin
            .describeTopics(List.of(Topics.REPLIES.name()))
            .allTopicNames()
            .get(30, TimeUnit.SECONDS)
            .get(Topics.REPLIES.name())
            .partitions()
            .size();
    List<Integer> owned =
        settings
            .replyPartitions()
            .orElseGet(() -> IntStream.range(0, replyPartitions).boxed().toList());
    for (int partition : owned) {
      if (partition >= replyPartitions) {
        throw new ConfigException(
            "INGRESS_REPLY_PARTITIONS names partition "
                + partition
                + " but "
                + Topics.REPLIES.name()
                + " has "
                + replyPartitions);
      }
    }

    TokenVerifier verifier = TokenVerifier.create(authSettings);
    RequestPublisher publisher =
        new RequestPublisher(
            new KafkaProducer<>(
                producerProperties(settings),
                Topics.REQUESTS.keySerde().serializer(),
                Topics.REQUESTS.valueSerde().serializer()));
    KafkaReplyInbox inbox =
        new KafkaReplyInbox(
            new KafkaConsumer<>(
                consumerProperties(settings),
                Topics.REPLIES.keySerde().deserializer(),
                Topics.REPLIES.valueSerde().deserializer()),
            Topics.REPLIES.name(),
            owned);
    Readiness readiness =
        new Readiness(
            admin,
            settings.pipeline().id(),
            opa.mode().name(),
            policy.version(),
            opa.url().map(URI::toString).orElse(null));
    GatewayApp app = new GatewayApp(settings, verifier, publisher, inbox, readiness, models);
    app.javalin().start(bind.host(), settings.port());
    LOGGER
        .atInfo()
        .addKeyValue("bindAddress", bind.host())
        .addKeyValue("port", app.javalin().port())
        .addKeyValue("replyPartitions", owned)
        .log("ingress listening");
    return new Running(app, inbox, publisher, admin, verifier);
  }

  static Map<String, Object> producerProperties(IngressSettings settings) {
    Map<String, Object> props = new HashMap<>(settings.kafka().clientProperties());
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.LINGER_MS_CONFIG, settings.tuning().lingerMs());
    props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, Topics.COMPRESSION);
    props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Topics.MAX_MESSAGE_BYTES);
    // A caller is waiting: fail fast (503) rather than hang when Kafka is away.
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000);
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 15_000);
    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    return props;
  }

  static Map<String, Object> consumerProperties(IngressSettings settings) {
    Map<String, Object> props = new HashMap<>(settings.kafka().clientProperties());
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, settings.tuning().fetchMaxWaitMs());
    props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Topics.MAX_MESSAGE_BYTES);
    return props;
  }
}

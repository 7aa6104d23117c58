package dev.sluice.devkafka;

import dev.sluice.config.Env;
import dev.sluice.config.OwnerOnly;
import dev.sluice.config.ParentWatch;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.internals.Exit;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node KRaft Kafka broker (broker and controller in one) from the Apache Kafka jars,
 * for local runs and tests. Its data directory is formatted on first use and reused after, so a
 * second run keeps its topics and offsets.
 */
public final class LocalBroker implements AutoCloseable {
  private static final Logger LOGGER = LoggerFactory.getLogger(LocalBroker.class);

  private final KafkaRaftServer server;
  private final String bootstrapServers;

  private LocalBroker(KafkaRaftServer server, String bootstrapServers) {
    this.server = server;
    this.bootstrapServers = bootstrapServers;
  }

  /**
   * Formats {@code dataDir} if needed and starts a broker listening on 127.0.0.1:{@code port}. The
   * directories it creates are its owner's only ({@code 0700}).
   */
  public static LocalBroker start(Path dataDir, int port) {
    int controllerPort = freePort();
    Path logDir = dataDir.toAbsolutePath().resolve("log");
    Properties props = new Properties();
    props.put("process.roles", "broker,controller");
    props.put("node.id", "1");
    props.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
    props.put(
        "listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
    props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
    props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    props.put("controller.listener.names", "CONTROLLER");
    props.put("inter.broker.listener.name", "PLAINTEXT");
    props.put("log.dirs", logDir.toString());
    props.put("num.partitions", "6");
    props.put("auto.create.topics.enable", "false");
    props.put("offsets.topic.replication.factor", "1");
    props.put("offsets.topic.num.partitions", "6");
    props.put("transaction.state.log.replication.factor", "1");
    props.put("transaction.state.log.min.isr", "1");
    props.put("share.coordinator.state.topic.replication.factor", "1");
    props.put("share.coordinator.state.topic.min.isr", "1");
    // One member joins at a time here; waiting for more only delays every start.
    props.put("group.initial.rebalance.delay.ms", "0");
    props.put("message.max.bytes", Integer.toString(5 * 1024 * 1024));
    props.put("log.flush.interval.messages", Long.toString(Long.MAX_VALUE));

    try {
      // Owner-only: the log holds the credentials on llm.requests. Kafka writes its own files with
      // the process's umask; these directories keep others out of them.
      OwnerOnly.createDirectories(logDir);
      // The controller port changes between runs; the stored quorum does not depend on it.
      new Formatter()
          .setNodeId(1)
          .setClusterId(clusterId(dataDir))
          .setDirectories(List.of(logDir.toString()))
          .setMetadataLogDirectory(logDir.toString())
          .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
          .setControllerListenerName("CONTROLLER")
          .setHasDynamicQuorum(false)
          .setIgnoreFormatted(true)
          .setPrintStream(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()))
          .run();
    } catch (Exception e) {
      throw new IllegalStateException("cannot format the Kafka data directory " + logDir, e);
    }
    KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props), Time.SYSTEM);
    server.startup();
    String bootstrap = "127.0.0.1:" + port;
    LOGGER.atInfo().addKeyValue("bootstrap", bootstrap).log("local Kafka broker started");
    return new LocalBroker(server, bootstrap);
  }

  /**
   * Stops Kafka's fatal-error paths from exiting a JVM that hosts other things (a test run): the
   * broker calls {@code Exit} on unrecoverable errors.
   */
  public static void guardJvmExit() {
    Exit.setExitProcedure(
        (status, message) -> {
          throw new IllegalStateException("Kafka asked to exit(" + status + "): " + message);
        });
    Exit.setHaltProcedure(
        (status, message) -> {
          throw new IllegalStateException("Kafka asked to halt(" + status + "): " + message);
        });
  }

  public String bootstrapServers() {
    return bootstrapServers;
  }

  @Override
  public void close() {
    server.shutdown();
    server.awaitShutdown();
  }

  /** A port free right now on 127.0.0.1. */
  public static int freePort() {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress("127.0.0.1", 0));
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String clusterId(Path dataDir) throws IOException {
    Path file = dataDir.resolve("cluster-id");
    if (Files.exists(file)) {
      return Files.readString(file).trim();
    }
    OwnerOnly.createDirectories(dataDir);
    String id = Uuid.randomUuid().toString();
    OwnerOnly.writeNewFile(file, id);
    return id;
  }

  /**
   * Runs a broker as its own process: {@code LocalBroker <data-dir> <port>}. Prints {@code READY
   * <bootstrap>} once it accepts connections, and stops on SIGTERM.
   */
  public static void main(String[] args) throws InterruptedException {
    if (args.length != 2) {
      System.err.println("usage: LocalBroker <data-dir> <port>");
      System.exit(2);
    }
    ParentWatch.startIfAsked(Env.load());
    LocalBroker broker = LocalBroker.start(Path.of(args[0]), Integer.parseInt(args[1]));
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  broker.close();
                  stopped.countDown();
                },
                "local-broker-shutdown"));
    System.out.println("READY " + broker.bootstrapServers());
    System.out.flush();
    stopped.await();
  }
}

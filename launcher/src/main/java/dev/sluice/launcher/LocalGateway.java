package dev.sluice.launcher;

import dev.sluice.config.ConfigException;
import dev.sluice.config.Env;
import dev.sluice.config.KafkaSettings;
import dev.sluice.topics.TopicProvisioner;
import dev.sluice.topics.TopicSettings;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;

/**
 * The whole gateway on one machine: a real single-node Kafka broker (unless {@code
 * KAFKA_BOOTSTRAP_SERVERS} names a cluster), the pipeline and the ingress, each its own process.
 * {@code scripts/run} starts this; the end-to-end tests drive the same parts. Once they run, {@link
 * #supervise} keeps them running: a pipeline or ingress that stops on its own is started again.
 */
public final class LocalGateway implements AutoCloseable {
  static final String BROKER_MAIN = "dev.sluice.devkafka.LocalBroker";
  static final String PIPELINE_MAIN = "dev.sluice.pipeline.PipelineMain";
  static final String INGRESS_MAIN = "dev.sluice.ingress.IngressMain";

  /** The JVM options of the pipeline and the ingress in a local run. */
  static final List<String> SERVICE_JVM = List.of("-Xms256m", "-Xmx1g");

  private final Map<String, String> env;
  private final PrintStream out;
  private final List<String> serviceJvm;
  private volatile ChildProcess broker;
  private volatile ChildProcess pipeline;
  private volatile ChildProcess ingress;
  private Supervisor supervisor;

  /**
   * @param env the complete environment every part runs with (already resolved: data dir, Kafka
   *     address, secrets)
   */
  public LocalGateway(Map<String, String> env, PrintStream out) {
    this(env, out, SERVICE_JVM);
  }

  /** With other JVM options for the pipeline and the ingress (tests run them small). */
  LocalGateway(Map<String, String> env, PrintStream out, List<String> serviceJvm) {
    this.env = new HashMap<>(env);
    this.out = out;
    this.serviceJvm = List.copyOf(serviceJvm);
  }

  public Map<String, String> env() {
    return Map.copyOf(env);
  }

  /** Starts a broker on {@code port} in {@code dataDir}; returns its bootstrap address. */
  public String startBroker(Path dataDir, int port) throws Exception {
    if (!portFree(port)) {
      throw new ConfigException(
          "port "
              + port
              + " is in use: stop what holds it, set LOCAL_KAFKA_PORT, or point"
              + " KAFKA_BOOTSTRAP_SERVERS at a running cluster");
    }
    broker =
        ChildProcess.start(
            "broker",
            BROKER_MAIN,
            List.of(dataDir.toAbsolutePath().toString(), Integer.toString(port)),
            env,
            List.of("-Xms256m", "-Xmx768m"),
            line -> line.startsWith("READY "),
            out);
    String ready = broker.marker().get(60, TimeUnit.SECONDS);
    String bootstrap = ready.substring("READY ".length()).trim();
    env.put("KAFKA_BOOTSTRAP_SERVERS", bootstrap);
    return bootstrap;
  }

  /** Creates the gateway's topics when missing. */
  public void provisionTopics() throws Exception {
    Env resolved = Env.of(env);
    try (Admin admin = Admin.create(KafkaSettings.from(resolved).clientProperties())) {
      TopicProvisioner.ensure(admin, TopicSettings.from(resolved));
    }
  }

  public ChildProcess startPipeline() throws IOException {
    pipeline = startService("pipeline", PIPELINE_MAIN);
    return pipeline;
  }

  public ChildProcess startIngress() throws IOException {
    ingress = startService("ingress", INGRESS_MAIN);
    return ingress;
  }

  /** A long-running part with no start-up marker: readiness comes from its HTTP probes. */
  private ChildProcess startService(String name, String mainClass) throws IOException {
    return ChildProcess.start(name, mainClass, List.of(), env, serviceJvm, line -> false, out);
  }

  /**
   * Supervises the parts started so far, from now until {@link #close}: the pipeline and the
   * ingress are restarted as {@code policy} says when they stop on their own. The broker is not:
   * the broker of a local run dies of what a restart does not cure (a full disk, a damaged log, its
   * port taken), and a broker coming and going under the pipeline would turn one clear failure into
   * many confusing ones, so its loss ends the run. Completes with the reason when supervision gives
   * up; the caller then stops everything.
   */
  synchronized CompletableFuture<String> supervise(RestartPolicy policy) {
    if (supervisor != null) {
      throw new IllegalStateException("already supervised");
    }
    supervisor = new Supervisor(policy, out);
    if (broker != null) {
      supervisor.giveUpOnExit(
          broker, "the pipeline and the ingress cannot work without it: stopping everything");
    }
    if (pipeline != null) {
      supervisor.restartOnExit(
          pipeline, () -> startService("pipeline", PIPELINE_MAIN), next -> pipeline = next);
    }
    if (ingress != null) {
      supervisor.restartOnExit(
          ingress, () -> startService("ingress", INGRESS_MAIN), next -> ingress = next);
    }
    return supervisor.gaveUp();
  }

  /** {@link #supervise(RestartPolicy)} with {@link RestartPolicy#DEFAULT}. */
  public CompletableFuture<String> supervise() {
    return supervise(RestartPolicy.DEFAULT);
  }

  public ChildProcess pipeline() {
    return pipeline;
  }

  public ChildProcess ingress() {
    return ingress;
  }

  /** Waits until {@code url} answers 200, or fails after {@code timeout}. */
  public static void awaitReady(URI url, Duration timeout, List<ChildProcess> watched)
      throws Exception {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      for (ChildProcess child : watched) {
        if (child != null && !child.isAlive()) {
          throw new IllegalStateException("the " + child.name() + " stopped during start-up");
        }
      }
      try {
        HttpResponse<String> response =
            client.send(
                HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(2)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException(url + " was not ready within " + timeout.toSeconds() + " s");
  }

  /**
   * Stops the parts in reverse order of start: ingress, pipeline, broker. Supervision ends first,
   * so these exits start nothing. The ingress goes first and answers its waiting callers 503.
   */
  @Override
  public void close() {
    synchronized (this) {
      if (supervisor != null) {
        supervisor.close();
      }
    }
    for (ChildProcess child : new ChildProcess[] {ingress, pipeline, broker}) {
      if (child != null) {
        child.stop(25);
      }
    }
  }

  static boolean portFree(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress("127.0.0.1", port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}

package dev.sluice.launcher;

import dev.sluice.auth.AuthSettings;
import dev.sluice.config.BindAddress;
import dev.sluice.config.ConfigException;
import dev.sluice.config.DataDir;
import dev.sluice.config.Env;
import dev.sluice.config.KafkaSettings;
import dev.sluice.config.OwnerOnly;
import dev.sluice.ingress.IngressSettings;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code scripts/run}: starts the whole gateway, prints how to call it, keeps it running (a
 * pipeline or ingress that stops on its own is restarted, {@link RestartPolicy}), and stops every
 * part on Ctrl-C or SIGTERM, or with exit status 1 when a part cannot be kept running.
 */
public final class RunCommand {
  private RunCommand() {}

  public static void main(String[] args) throws Exception {
    // A local run's own defaults, where the environment and .env leave a name unset; every value
    // is then read through the same settings records the parts use, so it means the same to all.
    Map<String, String> localDefaults = new HashMap<>();
    localDefaults.put("DEV_MODE", "true");
    localDefaults.put("PIPELINE_INSTANCE_ID", "pipeline-local-1");
    // The repository's policy bundle, unless POLICY_DIR names another.
    String home = System.getProperty("sluice.home");
    if (home != null) {
      localDefaults.put("POLICY_DIR", Path.of(home, "policies").toString());
    }
    Env env = Env.load().withDefaults(localDefaults);
    DataDir data;
    AuthSettings auth;
    int port;
    BindAddress bind;
    KafkaSettings kafka;
    LocalRunSettings local;
    try {
      data = new DataDir(DataDir.from(env).path().toAbsolutePath());
      auth = AuthSettings.from(env);
      port = IngressSettings.from(env).port();
      bind = BindAddress.from(env);
      kafka = KafkaSettings.from(env);
      local = LocalRunSettings.from(env);
    } catch (ConfigException e) {
      System.err.println("sluice: " + e.getMessage());
      System.exit(2);
      return;
    }
    Path dataDir = protect(data);
    Map<String, String> resolved = new HashMap<>(env.asMap());
    resolved.put("DATA_DIR", dataDir.toString());
    boolean generatedSecret = false;
    if (auth.devMode() && auth.jwtSecret().isEmpty() && auth.jwksUrl().isEmpty()) {
      resolved.put("JWT_SECRET", DevSecret.loadOrCreate(dataDir));
      generatedSecret = true;
    }
    boolean devMode = auth.devMode();

    LocalGateway gateway = new LocalGateway(resolved, System.out);
    AtomicBoolean stopping = new AtomicBoolean();
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  stopping.set(true);
                  gateway.close();
                },
                "run-shutdown"));
    try {
      long startedNs = System.nanoTime();
      if (!kafka.external()) {
        System.out.println("sluice: starting a local Kafka broker in " + dataDir.resolve("kafka"));
        gateway.startBroker(dataDir.resolve("kafka"), local.kafkaPort());
      }
      gateway.provisionTopics();
      gateway.startPipeline();
      gateway.startIngress();
      LocalGateway.awaitReady(
          URI.create("http://" + bind.localUrlHost() + ":" + port + "/readyz"),
          Duration.ofSeconds(90),
          List.of(gateway.pipeline(), gateway.ingress()));
      printBanner(port, bind, devMode, generatedSecret, dataDir, System.nanoTime() - startedNs);
    } catch (ConfigException e) {
      System.err.println("sluice: " + e.getMessage());
      System.exit(2);
    }
    // A pipeline or ingress that stops on its own is restarted; this returns only when
    // supervision gives up (and has said why).
    gateway.supervise().get();
    if (stopping.get()) {
      return; // Ctrl-C or SIGTERM: the shutdown hook is stopping every part in order
    }
    System.err.println("sluice: giving up; stopping everything");
    System.exit(1);
  }

  /**
   * Creates the data directory owner-only, or takes group and other permissions off the one a local
   * run made before they were owner-only: it holds the broker's log, with credentials.
   */
  static Path protect(DataDir data) throws IOException {
    boolean existed = Files.isDirectory(data.path());
    Path dataDir = data.create();
    if (existed && data.openToOthers()) {
      try {
        OwnerOnly.restrict(dataDir);
        System.out.println(
            "sluice: " + dataDir + " was open to other users; it is now its owner's only (0700)");
      } catch (IOException e) {
        System.err.println(
            "sluice: "
                + dataDir
                + " is open to other users and cannot be changed here: chmod 700 it");
      }
    }
    return dataDir;
  }

  private static void printBanner(
      int port,
      BindAddress bind,
      boolean devMode,
      boolean generatedSecret,
      Path dataDir,
      long tookNs) {
    String url = "http://" + bind.localUrlHost() + ":" + port;
    StringBuilder banner = new StringBuilder();
    banner.append('\n');
    banner.append("Sluice is ready at ").append(url);
    banner.append(" (started in ").append(tookNs / 1_000_000).append(" ms)\n");
    banner.append(listening(bind, devMode)).append("\n\n");
    banner.append("Try it:\n");
    banner
        .append("  curl -s ")
        .append(url)
        .append("/v1/chat/completions \\\n")
        .append("    -H 'Authorization: Bearer ")
        .append(devMode ? "dev-token" : "$(scripts/make-jwt --tenant acme)")
        .append("' \\\n")
        .append("    -H 'Content-Type: application/json' \\\n")
        .append(
            "    -d '{\"model\":\"stub\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello,"
                + " Sluice\"}]}'\n\n");
    if (generatedSecret) {
      banner
          .append("A JWT for tenant acme (HS256, dev secret in ")
          .append(dataDir.resolve(DevSecret.FILE))
          .append("):\n  scripts/make-jwt --tenant acme\n\n");
    }
    if (devMode) {
      banner.append("DEV_MODE is on: 'dev-token' is accepted. Never use it in production.\n");
    }
    banner.append("Ctrl-C stops everything.\n");
    System.out.println(banner);
  }

  /** Who can reach the ingress and the pipeline's health port, and how to change it. */
  static String listening(BindAddress bind, boolean devMode) {
    String parts = "the ingress and the pipeline's health port";
    if (bind.loopbackOnly()) {
      return "Listening on "
          + bind.host()
          + " only: "
          + parts
          + " are reachable from this machine alone"
          + (bind.origin() == BindAddress.Origin.DEV_MODE ? " (DEV_MODE's default)" : "")
          + "; BIND_ADDRESS=0.0.0.0 opens them to the network.";
    }
    String where = bind.everyInterface() ? "every interface (" + bind.host() + ")" : bind.host();
    return "Listening on "
        + where
        + ": other machines can reach "
        + parts
        + (devMode ? ", and 'dev-token' works for them too" : "")
        + ".";
  }
}

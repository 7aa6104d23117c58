package dev.sluice.launcher;

import dev.sluice.auth.AuthSettings;
import dev.sluice.config.ConfigException;
import dev.sluice.config.DataDir;
import dev.sluice.config.Env;
import dev.sluice.config.KafkaSettings;
import dev.sluice.ingress.IngressSettings;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code scripts/run}: starts the whole gateway, prints how to call it, and stops every part on
 * Ctrl-C or SIGTERM.
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
    Path dataDir;
    AuthSettings auth;
    int port;
    KafkaSettings kafka;
    LocalRunSettings local;
    try {
      dataDir = DataDir.from(env).path().toAbsolutePath();
      auth = AuthSettings.from(env);
      port = IngressSettings.from(env).port();
      kafka = KafkaSettings.from(env);
      local = LocalRunSettings.from(env);
    } catch (ConfigException e) {
      System.err.println("sluice: " + e.getMessage());
      System.exit(2);
      return;
    }
    Files.createDirectories(dataDir);
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
          URI.create("http://127.0.0.1:" + port + "/readyz"),
          Duration.ofSeconds(90),
          List.of(gateway.pipeline(), gateway.ingress()));
      printBanner(port, devMode, generatedSecret, dataDir, System.nanoTime() - startedNs);
    } catch (ConfigException e) {
      System.err.println("sluice: " + e.getMessage());
      System.exit(2);
    }
    ChildProcess stopped = gateway.anyExit().get();
    if (stopping.get()) {
      return; // Ctrl-C or SIGTERM: the shutdown hook is stopping every part in order
    }
    System.err.println("sluice: the " + stopped.name() + " stopped; stopping the rest");
    System.exit(1);
  }

  private static void printBanner(
      int port, boolean devMode, boolean generatedSecret, Path dataDir, long tookNs) {
    String url = "http://localhost:" + port;
    StringBuilder banner = new StringBuilder();
    banner.append('\n');
    banner.append("Sluice is ready at ").append(url);
    banner.append(" (started in ").append(tookNs / 1_000_000).append(" ms)\n\n");
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
}

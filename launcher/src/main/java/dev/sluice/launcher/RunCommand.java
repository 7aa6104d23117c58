package dev.sluice.launcher;

import dev.sluice.config.ConfigException;
import dev.sluice.config.Env;
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
    Env env = Env.load();
    Map<String, String> resolved = new HashMap<>(env.asMap());
    boolean devMode = env.getBoolean("DEV_MODE", true);
    resolved.put("DEV_MODE", Boolean.toString(devMode));
    Path dataDir = Path.of(env.get("DATA_DIR", "data")).toAbsolutePath();
    Files.createDirectories(dataDir);
    resolved.put("DATA_DIR", dataDir.toString());
    resolved.putIfAbsent("PIPELINE_INSTANCE_ID", "pipeline-local-1");
    // The repository's policy bundle, unless POLICY_DIR (environment or .env) names another.
    String home = System.getProperty("sluice.home");
    if (env.get("POLICY_DIR").isEmpty() && home != null) {
      resolved.put("POLICY_DIR", Path.of(home, "policies").toString());
    }
    boolean generatedSecret = false;
    if (devMode && env.get("JWT_SECRET").isEmpty() && env.get("JWT_JWKS_URL").isEmpty()) {
      resolved.put("JWT_SECRET", DevSecret.loadOrCreate(dataDir));
      generatedSecret = true;
    }
    int port = env.getInt("PORT", 8000);

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
      if (env.get("KAFKA_BOOTSTRAP_SERVERS").isEmpty()) {
        int kafkaPort = env.getInt("LOCAL_KAFKA_PORT", 9092);
        System.out.println("sluice: starting a local Kafka broker in " + dataDir.resolve("kafka"));
        gateway.startBroker(dataDir.resolve("kafka"), kafkaPort);
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

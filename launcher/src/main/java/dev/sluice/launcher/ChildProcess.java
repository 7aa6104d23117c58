package dev.sluice.launcher;

import dev.sluice.config.ParentWatch;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A part of the gateway (broker, pipeline, ingress) running as its own JVM on this launcher's
 * classpath. Its output is passed through; it dies with the launcher (see {@link ParentWatch}).
 */
public final class ChildProcess implements AutoCloseable {
  private final String name;
  private final Process process;
  private final CompletableFuture<String> marker = new CompletableFuture<>();

  private ChildProcess(String name, Process process) {
    this.name = name;
    this.process = process;
  }

  /**
   * Starts {@code mainClass} with {@code env} as its whole environment. Lines of its standard
   * output that match {@code markerLine} complete {@link #marker()}.
   */
  public static ChildProcess start(
      String name,
      String mainClass,
      List<String> args,
      Map<String, String> env,
      List<String> jvmOptions,
      Predicate<String> markerLine,
      PrintStream out)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Dsluice.process=" + name);
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(mainClass);
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().clear();
    builder.environment().putAll(env);
    builder.environment().put(ParentWatch.VARIABLE, "true");
    builder.redirectError(ProcessBuilder.Redirect.INHERIT);
    builder.redirectInput(ProcessBuilder.Redirect.PIPE);
    ChildProcess child = new ChildProcess(name, builder.start());
    Thread pump = new Thread(() -> child.pump(markerLine, out), name + "-output");
    pump.setDaemon(true);
    pump.start();
    return child;
  }

  private void pump(Predicate<String> markerLine, PrintStream out) {
    try (BufferedReader reader =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        if (!marker.isDone() && markerLine.test(line)) {
          marker.complete(line);
        } else {
          out.println(line);
        }
      }
    } catch (IOException e) {
      // the process is gone
    }
    marker.completeExceptionally(new IllegalStateException(name + " exited"));
  }

  public String name() {
    return name;
  }

  /** Completes with the first output line matching the start-up marker. */
  public CompletableFuture<String> marker() {
    return marker;
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public CompletableFuture<Process> onExit() {
    return process.onExit();
  }

  /** The exit status of a process that has exited: 128 + N when signal N ended it. */
  public int exitStatus() {
    return process.exitValue();
  }

  /** An exit status as a person reads it: {@code exit 137 (killed by signal 9)}. */
  static String describeExit(int status) {
    if (status > 128 && status < 160) {
      return "exit " + status + " (killed by signal " + (status - 128) + ")";
    }
    return "exit " + status;
  }

  /** SIGKILL: no shutdown hooks, no clean close; what a crash looks like. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** SIGTERM, then SIGKILL if it does not stop within {@code graceSeconds}. */
  public void stop(long graceSeconds) {
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(graceSeconds, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    stop(20);
  }
}

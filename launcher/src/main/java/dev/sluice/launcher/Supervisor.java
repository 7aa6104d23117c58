package dev.sluice.launcher;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Keeps the parts of a local run running. A pipeline or an ingress that stops on its own is started
 * again as its {@link RestartPolicy} says, with the same environment: a restarted pipeline takes
 * its partitions back at once (static membership) and re-issues the calls that were open, so a
 * crash costs its callers latency, not answers. A part the policy gives up on, or one whose loss
 * nothing can make good (the broker), ends supervision: {@link #gaveUp()} completes with why, and
 * the launcher stops everything.
 *
 * <p>Exits after {@link #close()} are the launcher's own doing and start nothing.
 */
final class Supervisor implements AutoCloseable {
  /** Starts a part again. */
  @FunctionalInterface
  interface Start {
    ChildProcess start() throws IOException;
  }

  private final RestartPolicy policy;
  private final PrintStream log;
  private final LongSupplier clockMs;
  private final ScheduledExecutorService timer;
  private final CompletableFuture<String> gaveUp = new CompletableFuture<>();
  private boolean closed;

  /** One supervised part: how to start it again, whom to tell, and when it failed. */
  private static final class Part {
    final String name;
    final Start start;
    final Consumer<ChildProcess> restarted;
    final List<Long> failuresMs = new ArrayList<>();

    Part(String name, Start start, Consumer<ChildProcess> restarted) {
      this.name = name;
      this.start = start;
      this.restarted = restarted;
    }
  }

  Supervisor(RestartPolicy policy, PrintStream log) {
    this(policy, log, () -> TimeUnit.NANOSECONDS.toMillis(System.nanoTime()));
  }

  Supervisor(RestartPolicy policy, PrintStream log, LongSupplier clockMs) {
    this.policy = Objects.requireNonNull(policy, "policy");
    this.log = Objects.requireNonNull(log, "log");
    this.clockMs = Objects.requireNonNull(clockMs, "clockMs");
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "supervisor");
              thread.setDaemon(true);
              return thread;
            });
  }

  /**
   * Restarts {@code child} whenever it stops on its own; {@code restarted} hears of each new
   * process.
   */
  void restartOnExit(ChildProcess child, Start start, Consumer<ChildProcess> restarted) {
    watch(new Part(child.name(), start, restarted), child);
  }

  /** Gives up when {@code child} stops: nothing can stand in for it. */
  void giveUpOnExit(ChildProcess child, String consequence) {
    child
        .onExit()
        .thenRun(
            () -> {
              synchronized (this) {
                if (closed || gaveUp.isDone()) {
                  return;
                }
                giveUp(
                    "the "
                        + child.name()
                        + " stopped ("
                        + ChildProcess.describeExit(child.exitStatus())
                        + "); "
                        + consequence);
              }
            });
  }

  /** Completes with the reason once supervision has given up; never completes otherwise. */
  CompletableFuture<String> gaveUp() {
    return gaveUp;
  }

  private void watch(Part part, ChildProcess child) {
    child.onExit().thenRun(() -> failed(part, child.exitStatus()));
  }

  private synchronized void failed(Part part, int exitStatus) {
    if (closed || gaveUp.isDone()) {
      return;
    }
    part.failuresMs.add(clockMs.getAsLong());
    RestartDecision decision = policy.afterFailure(part.failuresMs, exitStatus);
    String stopped =
        "the " + part.name + " stopped (" + ChildProcess.describeExit(exitStatus) + ")";
    if (decision instanceof RestartDecision.Restart restart) {
      log.println(
          "sluice: "
              + stopped
              + "; restarting it in "
              + RestartPolicy.describe(restart.delay())
              + " (restart "
              + restart.restart()
              + " of at most "
              + policy.maxRestarts()
              + " within "
              + RestartPolicy.describe(policy.window())
              + ")");
      timer.schedule(() -> restart(part), restart.delay().toMillis(), TimeUnit.MILLISECONDS);
    } else if (decision instanceof RestartDecision.GiveUp giveUp) {
      giveUp(stopped + "; not restarting it: " + giveUp.reason());
    }
  }

  private synchronized void restart(Part part) {
    if (closed || gaveUp.isDone()) {
      return;
    }
    ChildProcess next;
    try {
      next = part.start.start();
    } catch (IOException | RuntimeException e) {
      log.println("sluice: the " + part.name + " could not be started: " + e.getMessage());
      failed(part, -1);
      return;
    }
    // Said before anyone hears of the new process, so the line is there by the time they look.
    log.println("sluice: the " + part.name + " is starting again (pid " + next.pid() + ")");
    part.restarted.accept(next);
    watch(part, next);
  }

  private void giveUp(String reason) {
    log.println("sluice: " + reason);
    gaveUp.complete(reason);
  }

  /** Stops supervising: from now on an exit is expected and starts nothing. */
  @Override
  public synchronized void close() {
    closed = true;
    timer.shutdownNow();
  }
}

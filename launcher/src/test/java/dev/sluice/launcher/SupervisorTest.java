package dev.sluice.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The supervisor restarts real processes that stop on their own, gives up loudly when the policy
 * says so, and starts nothing once it is closed. The parts are small JVMs ({@link StandInPart}).
 */
class SupervisorTest {
  private static final List<String> SMALL_JVM =
      List.of("-Xms16m", "-Xmx32m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

  /** No wait between restarts: what is tested is how many, not when. */
  private static final RestartPolicy TWO_RESTARTS =
      new RestartPolicy(Duration.ofMillis(1), Duration.ofMillis(1), 2, Duration.ofHours(1));

  private final ByteArrayOutputStream logged = new ByteArrayOutputStream();
  private final PrintStream log = new PrintStream(logged, true, StandardCharsets.UTF_8);
  private final Supervisor supervisor = new Supervisor(TWO_RESTARTS, log);
  private final AtomicInteger restarts = new AtomicInteger();
  private volatile ChildProcess current;

  @AfterEach
  void stop() {
    supervisor.close();
    if (current != null) {
      current.stop(5);
    }
  }

  @Test
  void aPartThatKeepsFailingIsRestartedAsOftenAsThePolicyAllowsThenGivenUp() throws Exception {
    current = part("flaky", "1");
    supervisor.restartOnExit(current, () -> restarted(part("flaky", "1")), next -> {});

    String reason = supervisor.gaveUp().get(60, TimeUnit.SECONDS);

    assertThat(restarts).hasValue(2);
    assertThat(reason)
        .isEqualTo(
            "the flaky stopped (exit 1); not restarting it: it failed 3 times within 60"
                + " minutes");
    assertThat(log())
        .contains("the flaky stopped (exit 1); restarting it in 1 ms (restart 1 of at most 2")
        .contains("restart 2 of at most 2")
        .contains("sluice: " + reason);
  }

  @Test
  void aKilledPartIsStartedAgainAndTheGatewayHearsOfTheNewProcess() throws Exception {
    current = part("pipeline", "run");
    long killedPid = current.pid();
    CompletableFuture<ChildProcess> next = new CompletableFuture<>();
    supervisor.restartOnExit(current, () -> restarted(part("pipeline", "run")), next::complete);

    ProcessHandle.of(killedPid).orElseThrow().destroyForcibly();
    current = next.get(60, TimeUnit.SECONDS);

    assertThat(current.pid()).isNotEqualTo(killedPid);
    assertThat(current.isAlive()).isTrue();
    assertThat(restarts).hasValue(1);
    assertThat(supervisor.gaveUp()).isNotDone();
    assertThat(log())
        .contains("the pipeline stopped (exit 137 (killed by signal 9)); restarting it")
        .contains("the pipeline is starting again (pid " + current.pid() + ")");
  }

  @Test
  void aPartThatRefusedItsConfigurationIsNotRestarted() throws Exception {
    current = part("ingress", Integer.toString(RestartPolicy.CONFIGURATION_REFUSED));
    supervisor.restartOnExit(current, () -> restarted(part("ingress", "0")), next -> {});

    assertThat(supervisor.gaveUp().get(60, TimeUnit.SECONDS))
        .isEqualTo("the ingress stopped (exit 2); not restarting it: it refused its configuration");
    assertThat(restarts).hasValue(0);
  }

  @Test
  void losingAPartNothingCanStandInForGivesUp() throws Exception {
    current = part("broker", "1");
    supervisor.giveUpOnExit(current, "stopping everything");

    assertThat(supervisor.gaveUp().get(60, TimeUnit.SECONDS))
        .isEqualTo("the broker stopped (exit 1); stopping everything");
  }

  @Test
  void onceClosedAnExitStartsNothing() throws Exception {
    ChildProcess running = part("pipeline", "run");
    supervisor.restartOnExit(running, () -> restarted(part("pipeline", "run")), next -> {});

    supervisor.close();
    running.stop(5);
    running.onExit().get(30, TimeUnit.SECONDS);

    assertThat(restarts).hasValue(0);
    assertThat(supervisor.gaveUp()).isNotDone();
    assertThat(log()).doesNotContain("restarting");
  }

  private ChildProcess restarted(ChildProcess child) {
    restarts.incrementAndGet();
    current = child;
    return child;
  }

  private ChildProcess part(String name, String argument) throws IOException {
    return ChildProcess.start(
        name,
        StandInPart.class.getName(),
        List.of(argument),
        Map.of(),
        SMALL_JVM,
        line -> false,
        log);
  }

  private String log() {
    return logged.toString(StandardCharsets.UTF_8);
  }
}

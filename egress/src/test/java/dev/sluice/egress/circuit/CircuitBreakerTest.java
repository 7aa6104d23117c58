package dev.sluice.egress.circuit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class CircuitBreakerTest {
  private final FakeClock clock = new FakeClock(1_000_000);
  private final CircuitBreaker breaker =
      new CircuitBreaker("p", new CircuitSettings(3, Duration.ofMillis(30_000)), clock);

  private Permit permit() {
    Admission admission = breaker.tryAcquire();
    assertThat(admission).isInstanceOf(Admission.Granted.class);
    return ((Admission.Granted) admission).permit();
  }

  private void faults(int n) {
    for (int i = 0; i < n; i++) {
      permit().record(CallOutcome.FAULT);
    }
  }

  @Test
  void opensAfterTheThresholdOfConsecutiveFaults() {
    faults(2);
    assertThat(breaker.state()).isEqualTo(CircuitState.CLOSED);
    faults(1);
    assertThat(breaker.state()).isEqualTo(CircuitState.OPEN);
    assertThat(breaker.tryAcquire()).isEqualTo(new Admission.Rejected(30));
  }

  @Test
  void aSuccessResetsTheCount() {
    faults(2);
    permit().record(CallOutcome.SUCCESS);
    faults(2);
    assertThat(breaker.state()).isEqualTo(CircuitState.CLOSED);
    faults(1);
    assertThat(breaker.state()).isEqualTo(CircuitState.OPEN);
  }

  @Test
  void neutralOutcomesNeitherCountNorReset() {
    faults(2);
    permit().record(CallOutcome.NEUTRAL);
    permit().record(CallOutcome.NEUTRAL);
    assertThat(breaker.state()).isEqualTo(CircuitState.CLOSED);
    faults(1);
    assertThat(breaker.state()).isEqualTo(CircuitState.OPEN);
  }

  @Test
  void onlyAPermitsFirstOutcomeCounts() {
    Permit permit = permit();
    permit.record(CallOutcome.FAULT);
    permit.record(CallOutcome.FAULT);
    permit.record(CallOutcome.FAULT);
    assertThat(breaker.state()).isEqualTo(CircuitState.CLOSED);
  }

  @Test
  void retryAfterCountsDownToTheHalfOpenMomentAndIsAtLeastOneSecond() {
    faults(3);
    clock.advance(20_500);
    assertThat(breaker.tryAcquire()).isEqualTo(new Admission.Rejected(10));
    clock.advance(9_499);
    assertThat(breaker.tryAcquire()).isEqualTo(new Admission.Rejected(1));
    assertThat(breaker.state()).isEqualTo(CircuitState.OPEN);
  }

  @Test
  void halfOpensAfterTheOpenPeriodAndLetsOneProbeThrough() {
    faults(3);
    clock.advance(30_000);
    assertThat(breaker.state()).isEqualTo(CircuitState.HALF_OPEN);
    Permit probe = permit();
    assertThat(breaker.tryAcquire()).isEqualTo(new Admission.Rejected(1));
    assertThat(breaker.state()).isEqualTo(CircuitState.HALF_OPEN);

    probe.record(CallOutcome.SUCCESS);
    assertThat(breaker.state()).isEqualTo(CircuitState.CLOSED);
    permit();
    permit();
  }

  @Test
  void aFailedProbeReopensForAnotherPeriod() {
    faults(3);
    clock.advance(30_000);
    Permit probe = permit();
    clock.advance(2_000);
    probe.record(CallOutcome.FAULT);
    assertThat(breaker.state()).isEqualTo(CircuitState.OPEN);
    assertThat(breaker.tryAcquire()).isEqualTo(new Admission.Rejected(30));
    clock.advance(29_999);
    assertThat(breaker.tryAcquire()).isInstanceOf(Admission.Rejected.class);
    clock.advance(1);
    assertThat(breaker.tryAcquire()).isInstanceOf(Admission.Granted.class);
  }

  @Test
  void aNeutralProbeLetsTheNextCallProbe() {
    faults(3);
    clock.advance(30_000);
    permit().record(CallOutcome.NEUTRAL);
    assertThat(breaker.state()).isEqualTo(CircuitState.HALF_OPEN);
    Permit next = permit();
    assertThat(breaker.tryAcquire()).isInstanceOf(Admission.Rejected.class);
    next.record(CallOutcome.SUCCESS);
    assertThat(breaker.state()).isEqualTo(CircuitState.CLOSED);
  }

  @Test
  void aProbeThatNeverReportsIsReplacedAfterAnOpenPeriod() {
    faults(3);
    clock.advance(30_000);
    Permit lost = permit();
    clock.advance(29_999);
    assertThat(breaker.tryAcquire()).isInstanceOf(Admission.Rejected.class);
    clock.advance(1);
    Permit second = permit();
    // The lost probe reporting late changes nothing; the current probe decides.
    lost.record(CallOutcome.SUCCESS);
    assertThat(breaker.state()).isEqualTo(CircuitState.HALF_OPEN);
    second.record(CallOutcome.FAULT);
    assertThat(breaker.state()).isEqualTo(CircuitState.OPEN);
  }

  @Test
  void lateOutcomesOfCallsFromBeforeTheCircuitOpenedAreIgnored() {
    Permit slowSuccess = permit();
    Permit slowFault = permit();
    faults(3);
    clock.advance(30_000);
    Permit probe = permit();
    slowSuccess.record(CallOutcome.SUCCESS);
    assertThat(breaker.state()).isEqualTo(CircuitState.HALF_OPEN);
    probe.record(CallOutcome.SUCCESS);
    slowFault.record(CallOutcome.FAULT);
    faults(2);
    assertThat(breaker.state()).isEqualTo(CircuitState.CLOSED);
  }

  @Test
  void aClockSetBackDoesNotKeepTheCircuitOpen() {
    faults(3);
    clock.advance(-60_000);
    assertThat(breaker.tryAcquire()).isInstanceOf(Admission.Granted.class);
  }

  @Test
  void retryAfterRoundsUp() {
    assertThat(CircuitBreaker.retryAfterSeconds(0)).isEqualTo(1);
    assertThat(CircuitBreaker.retryAfterSeconds(1)).isEqualTo(1);
    assertThat(CircuitBreaker.retryAfterSeconds(1_000)).isEqualTo(1);
    assertThat(CircuitBreaker.retryAfterSeconds(1_001)).isEqualTo(2);
    assertThat(CircuitBreaker.retryAfterSeconds(Long.MAX_VALUE)).isEqualTo(Integer.MAX_VALUE);
  }

  @Test
  void exactlyOneConcurrentCallerGetsTheHalfOpenProbe() throws Exception {
    int callers = 16;
    for (int round = 0; round < 50; round++) {
      CircuitBreaker circuit =
          new CircuitBreaker("p", new CircuitSettings(1, Duration.ofMillis(10)), clock);
      ((Admission.Granted) circuit.tryAcquire()).permit().record(CallOutcome.FAULT);
      clock.advance(10);
      CountDownLatch ready = new CountDownLatch(callers);
      CountDownLatch go = new CountDownLatch(1);
      ExecutorService pool = Executors.newFixedThreadPool(callers);
      try {
        List<Future<Admission>> admissions = new ArrayList<>();
        for (int i = 0; i < callers; i++) {
          admissions.add(
              pool.submit(
                  () -> {
                    ready.countDown();
                    go.await();
                    return circuit.tryAcquire();
                  }));
        }
        assertThat(ready.await(10, TimeUnit.SECONDS)).isTrue();
        go.countDown();
        int granted = 0;
        for (Future<Admission> admission : admissions) {
          if (admission.get(10, TimeUnit.SECONDS) instanceof Admission.Granted) {
            granted++;
          }
        }
        assertThat(granted).isEqualTo(1);
      } finally {
        pool.shutdownNow();
      }
    }
  }

  @Test
  void concurrentFaultsOpenTheCircuitOnce() throws Exception {
    int callers = 8;
    CircuitBreaker circuit =
        new CircuitBreaker("p", new CircuitSettings(callers, Duration.ofMillis(30_000)), clock);
    List<Permit> permits = new ArrayList<>();
    for (int i = 0; i < callers; i++) {
      permits.add(((Admission.Granted) circuit.tryAcquire()).permit());
    }
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(callers);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (Permit permit : permits) {
        done.add(
            pool.submit(
                () -> {
                  go.await();
                  permit.record(CallOutcome.FAULT);
                  return null;
                }));
      }
      go.countDown();
      for (Future<?> f : done) {
        f.get(10, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(circuit.state()).isEqualTo(CircuitState.OPEN);
    assertThat(circuit.tryAcquire()).isEqualTo(new Admission.Rejected(30));
  }
}

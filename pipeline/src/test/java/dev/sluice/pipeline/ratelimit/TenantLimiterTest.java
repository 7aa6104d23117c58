package dev.sluice.pipeline.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.pipeline.ratelimit.LimitDecision.Allowed;
import dev.sluice.pipeline.ratelimit.LimitDecision.AlreadySettled;
import dev.sluice.pipeline.ratelimit.LimitDecision.Refused;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The limiter's rules one at a time, on round numbers: 60 s windows have 1 s sub-buckets. */
class TenantLimiterTest {
  /** A UTC midnight. */
  private static final long DAY = 20_000 * TenantLimiter.DAY_MS;

  private static final long KEEP_MS = 600_000;
  private static final long MAX_AGE_MS = 120_000;
  private final TenantLimiter limiter = new TenantLimiter(KEEP_MS, MAX_AGE_MS);

  private static LimitSpec requests(long n, long windowMs) {
    return new LimitSpec(new RequestLimit(n, windowMs), null, null, null);
  }

  private TenantLedger admit(TenantLedger ledger, LimitSpec spec, String id, long tokens, long at) {
    LedgerDecision reserved = limiter.reserve(ledger, spec, id, tokens, at);
    assertThat(reserved.decision()).as("%s at %d", id, at).isInstanceOf(Allowed.class);
    return reserved.ledger();
  }

  private Refused refused(TenantLedger ledger, LimitSpec spec, String id, long tokens, long at) {
    LedgerDecision reserved = limiter.reserve(ledger, spec, id, tokens, at);
    assertThat(reserved.decision()).as("%s at %d", id, at).isInstanceOf(Refused.class);
    assertThat(reserved.ledger())
        .as("a refusal counts nothing")
        .isEqualTo(limiter.prune(ledger, spec, at));
    return (Refused) reserved.decision();
  }

  @Test
  void specsRefuseLimitsBelowOneAndSayHowToHaveNone() {
    assertThatThrownBy(() -> new RequestLimit(0, 1000))
        .hasMessageContaining("requests per window must be at least 1")
        .hasMessageContaining("unset");
    assertThatThrownBy(() -> new RequestLimit(5, 0))
        .hasMessageContaining("request window must be at least 1 ms");
    assertThatThrownBy(() -> new LimitSpec(null, 0L, null, null))
        .hasMessageContaining("tokens per minute must be at least 1");
    assertThatThrownBy(() -> new LimitSpec(null, null, -5L, null))
        .hasMessageContaining("daily tokens must be at least 1");
    assertThatThrownBy(() -> new LimitSpec(null, null, null, 0))
        .hasMessageContaining("concurrent calls must be at least 1");
    assertThatThrownBy(() -> new TenantLimiter(-1, 1)).hasMessageContaining("settledKeepMs");
    assertThatThrownBy(() -> new TenantLimiter(1, 0)).hasMessageContaining("reservationMaxAgeMs");
  }

  @Test
  void anUnlimitedSpecAllowsEverythingAndReportsNoFigures() {
    TenantLedger ledger = TenantLedger.EMPTY;
    for (int i = 0; i < 100; i++) {
      LedgerDecision reserved =
          limiter.reserve(ledger, LimitSpec.UNLIMITED, "r" + i, 1_000_000, DAY);
      assertThat(reserved.decision()).isInstanceOf(Allowed.class);
      assertThat(reserved.decision().headroom()).isEmpty();
      ledger = reserved.ledger();
    }
    assertThat(ledger.requests()).isEmpty();
    assertThat(ledger.dayTokens()).as("tokens are counted anyway").isEqualTo(100_000_000);
  }

  @Test
  void nRequestsPerWindowThenARetryAfterWhenTheirSubBucketLeaves() {
    LimitSpec spec = requests(3, 60_000);
    long at = DAY + 10_500;
    TenantLedger ledger = TenantLedger.EMPTY;
    for (int i = 0; i < 3; i++) {
      ledger = admit(ledger, spec, "r" + i, 0, at);
    }
    Refused refused = refused(ledger, spec, "r3", 0, at);
    // The sub-bucket [10,000, 10,999] counts until its last millisecond is a window old.
    assertThat(refused.limit()).isEqualTo(LimitKind.REQUESTS);
    assertThat(refused.tooLarge()).isFalse();
    assertThat(refused.retryAfterMs()).isEqualTo(DAY + 70_999 - at);
    assertThat(refused.headroom(LimitKind.REQUESTS)).contains(new Headroom(3, 0, 60_499));

    refused(ledger, spec, "r3", 0, DAY + 70_998);
    LedgerDecision later = limiter.reserve(ledger, spec, "r3", 0, DAY + 70_999);
    assertThat(later.decision().headroom(LimitKind.REQUESTS)).contains(new Headroom(3, 2, 60_000));
    assertThat(later.ledger().requests()).containsOnlyKeys(DAY + 70_000);
  }

  @Test
  void noTwoNAcrossAWindowBoundaryAsAFixedBucketWouldAdmit() {
    LimitSpec spec = requests(3, 60_000);
    TenantLedger ledger = TenantLedger.EMPTY;
    for (int i = 0; i < 3; i++) {
      ledger = admit(ledger, spec, "a" + i, 0, DAY + 59_999);
    }
    Refused refused = refused(ledger, spec, "b", 0, DAY + 60_000);
    assertThat(refused.retryAfterMs()).isEqualTo(59_999);
  }

  @Test
  void theRemainingFollowsTheWindowAsItSlides() {
    LimitSpec spec = requests(4, 60_000);
    TenantLedger ledger = TenantLedger.EMPTY;
    ledger = admit(ledger, spec, "a", 0, DAY);
    ledger = admit(ledger, spec, "b", 0, DAY + 30_000);
    assertThat(limiter.headroom(ledger, spec, DAY + 30_000))
        .containsEntry(LimitKind.REQUESTS, new Headroom(4, 2, 60_999));
    assertThat(limiter.headroom(ledger, spec, DAY + 60_999))
        .containsEntry(LimitKind.REQUESTS, new Headroom(4, 3, 30_000));
    assertThat(limiter.headroom(ledger, spec, DAY + 90_999))
        .containsEntry(LimitKind.REQUESTS, new Headroom(4, 4, 0));
  }

  @Test
  void smallWindowsHaveNarrowerSubBuckets() {
    assertThat(SlidingWindow.of(60_000).bucketMs()).isEqualTo(1_000);
    assertThat(SlidingWindow.of(1_000).bucketMs()).isEqualTo(17);
    assertThat(SlidingWindow.of(60).bucketMs()).isEqualTo(1);
    assertThat(SlidingWindow.of(1).bucketMs()).isEqualTo(1);

    // 1 ms sub-buckets: an exact sliding log, 2 per 10 ms.
    LimitSpec spec = requests(2, 10);
    TenantLedger ledger = admit(TenantLedger.EMPTY, spec, "a", 0, DAY);
    ledger = admit(ledger, spec, "b", 0, DAY + 3);
    assertThat(refused(ledger, spec, "c", 0, DAY + 9).retryAfterMs()).isEqualTo(1);
    admit(ledger, spec, "c", 0, DAY + 10);
  }

  @Test
  void tokensPerMinuteAreReservedAndSettlementGivesBackWhatWasNotUsed() {
    LimitSpec spec = new LimitSpec(null, 1_000L, null, null);
    TenantLedger ledger = admit(TenantLedger.EMPTY, spec, "a", 600, DAY + 500);
    Refused refused = refused(ledger, spec, "b", 500, DAY + 20_000);
    assertThat(refused.limit()).isEqualTo(LimitKind.TOKENS_PER_MINUTE);
    assertThat(refused.retryAfterMs()).isEqualTo(60_999 - 20_000);
    assertThat(refused.headroom(LimitKind.TOKENS_PER_MINUTE))
        .contains(new Headroom(1_000, 400, 40_999));

    ledger = limiter.settle(ledger, "a", 100, DAY + 20_000);
    assertThat(ledger.tokens()).containsExactly(Map.entry(DAY, 100L));
    assertThat(ledger.dayTokens()).isEqualTo(100);
    ledger = admit(ledger, spec, "b", 500, DAY + 20_000);
    assertThat(limiter.headroom(ledger, spec, DAY + 20_000))
        .containsEntry(LimitKind.TOKENS_PER_MINUTE, new Headroom(1_000, 400, 60_999));
  }

  @Test
  void usingMoreThanReservedIsChargedWhereTheReservationWasCounted() {
    LimitSpec spec = new LimitSpec(null, 1_000L, 5_000L, null);
    TenantLedger ledger = admit(TenantLedger.EMPTY, spec, "a", 100, DAY + 1_500);
    ledger = limiter.settle(ledger, "a", 900, DAY + 3_000);
    assertThat(ledger.tokens()).containsExactly(Map.entry(DAY + 1_000, 900L));
    assertThat(ledger.dayTokens()).isEqualTo(900);
    assertThat(refused(ledger, spec, "b", 200, DAY + 3_000).retryAfterMs())
        .isEqualTo(61_999 - 3_000);
  }

  @Test
  void aSettlementAfterItsSubBucketLeftTheWindowOnlyCorrectsTheDay() {
    LimitSpec spec = new LimitSpec(null, 1_000L, 5_000L, null);
    TenantLedger ledger = admit(TenantLedger.EMPTY, spec, "a", 800, DAY);
    ledger = limiter.settle(ledger, "a", 300, DAY + 61_000);
    assertThat(ledger.tokens()).isEmpty();
    assertThat(ledger.dayTokens()).isEqualTo(300);
  }

  @Test
  void aReservationLargerThanALimitCanNeverPassAndSaysSo() {
    LimitSpec spec = new LimitSpec(requests(1, 60_000).requests(), 1_000L, 10_000L, null);
    TenantLedger ledger = admit(TenantLedger.EMPTY, spec, "a", 10, DAY);
    Refused perMinute = refused(ledger, spec, "b", 1_001, DAY);
    assertThat(perMinute.tooLarge()).isTrue();
    assertThat(perMinute.limit())
        .as("too large comes before the request limit that also refuses")
        .isEqualTo(LimitKind.TOKENS_PER_MINUTE);
    assertThat(perMinute.retryAfterMs()).isZero();

    Refused daily =
        refused(TenantLedger.EMPTY, new LimitSpec(null, null, 10_000L, null), "c", 10_001, DAY + 5);
    assertThat(daily.tooLarge()).isTrue();
    assertThat(daily.limit()).isEqualTo(LimitKind.DAILY_TOKENS);
  }

  @Test
  void theDailyBudgetIsPerUtcDay() {
    LimitSpec spec = new LimitSpec(null, null, 1_000L, null);
    long lastMinute = DAY + TenantLimiter.DAY_MS - 60_000;
    TenantLedger ledger = admit(TenantLedger.EMPTY, spec, "a", 800, lastMinute);
    assertThat(limiter.headroom(ledger, spec, lastMinute))
        .containsEntry(LimitKind.DAILY_TOKENS, new Headroom(1_000, 200, 60_000));
    Refused refused = refused(ledger, spec, "b", 300, lastMinute + 30_000);
    assertThat(refused.limit()).isEqualTo(LimitKind.DAILY_TOKENS);
    assertThat(refused.retryAfterMs()).isEqualTo(30_000);

    long midnight = DAY + TenantLimiter.DAY_MS;
    ledger = admit(ledger, spec, "b", 300, midnight);
    assertThat(ledger.day()).isEqualTo(Math.floorDiv(midnight, TenantLimiter.DAY_MS));
    assertThat(ledger.dayTokens()).isEqualTo(300);
    // Yesterday's reservation settles into yesterday, which is gone: today is not touched.
    ledger = limiter.settle(ledger, "a", 0, midnight + 1);
    assertThat(ledger.dayTokens()).isEqualTo(300);
  }

  @Test
  void aClockThatGoesBackADayKeepsTheLaterDaysUsage() {
    LimitSpec spec = new LimitSpec(null, null, 1_000L, null);
    TenantLedger ledger = admit(TenantLedger.EMPTY, spec, "a", 900, DAY + TenantLimiter.DAY_MS);
    assertThat(refused(ledger, spec, "b", 200, DAY + 5).limit()).isEqualTo(LimitKind.DAILY_TOKENS);
  }

  @Test
  void concurrentCallsHoldASlotUntilSettledOrReleased() {
    LimitSpec spec = new LimitSpec(null, null, null, 2);
    TenantLedger ledger = admit(TenantLedger.EMPTY, spec, "a", 0, DAY);
    ledger = admit(ledger, spec, "b", 0, DAY + 1_000);
    Refused refused = refused(ledger, spec, "c", 0, DAY + 5_000);
    assertThat(refused.limit()).isEqualTo(LimitKind.CONCURRENT);
    assertThat(refused.retryAfterMs()).isEqualTo(MAX_AGE_MS - 5_000);
    assertThat(refused.headroom(LimitKind.CONCURRENT))
        .contains(new Headroom(2, 0, MAX_AGE_MS - 4_000));

    ledger = limiter.release(ledger, "b", DAY + 6_000);
    ledger = admit(ledger, spec, "c", 0, DAY + 6_000);
    assertThat(ledger.reservations()).containsOnlyKeys("a", "c");
  }

  @Test
  void aLostSettlementFreesItsSlotAtTheMaximumAgeAndCannotBeReservedAgain() {
    LimitSpec spec = new LimitSpec(null, 1_000L, null, 1);
    TenantLedger ledger = admit(TenantLedger.EMPTY, spec, "lost", 700, DAY);
    refused(ledger, spec, "next", 0, DAY + MAX_AGE_MS - 1);
    ledger = admit(ledger, spec, "next", 0, DAY + MAX_AGE_MS);
    assertThat(ledger.reservations()).containsOnlyKeys("next");
    assertThat(ledger.settled()).containsEntry("lost", DAY + MAX_AGE_MS);
    assertThat(ledger.dayTokens()).as("its tokens stay counted").isEqualTo(700);

    LedgerDecision again = limiter.reserve(ledger, spec, "lost", 700, DAY + MAX_AGE_MS);
    assertThat(again.decision()).isInstanceOf(AlreadySettled.class);
    assertThat(limiter.settle(ledger, "lost", 0, DAY + MAX_AGE_MS)).isEqualTo(ledger);
  }

  @Test
  void reservingTheSameRequestTwiceCountsItOnce() {
    LimitSpec spec = new LimitSpec(new RequestLimit(2, 60_000), 1_000L, 1_000L, 1);
    TenantLedger once = admit(TenantLedger.EMPTY, spec, "a", 400, DAY);
    LedgerDecision twice = limiter.reserve(once, spec, "a", 400, DAY + 10);
    assertThat(twice.ledger()).isEqualTo(once);
    assertThat(twice.decision()).isInstanceOf(Allowed.class);
    assertThat(twice.decision().headroom(LimitKind.REQUESTS)).map(Headroom::remaining).contains(1L);
    assertThat(twice.decision().headroom(LimitKind.CONCURRENT))
        .map(Headroom::remaining)
        .contains(0L);
  }

  @Test
  void settlingTwiceOrSettlingAnUnknownRequestChangesNothing() {
    LimitSpec spec = new LimitSpec(null, 1_000L, null, 4);
    TenantLedger ledger = admit(TenantLedger.EMPTY, spec, "a", 400, DAY);
    ledger = admit(ledger, spec, "b", 400, DAY);
    TenantLedger settled = limiter.settle(ledger, "a", 100, DAY + 10);
    assertThat(settled.tokens()).containsExactly(Map.entry(DAY, 500L));
    assertThat(limiter.settle(settled, "a", 0, DAY + 10)).isEqualTo(settled);
    assertThat(limiter.release(settled, "a", DAY + 10)).isEqualTo(settled);
    assertThat(limiter.settle(settled, "never-reserved", 50, DAY + 10)).isEqualTo(settled);
  }

  @Test
  void aSettledRequestIsNotReservedAgainWithinTheKeepWindow() {
    LimitSpec spec = new LimitSpec(new RequestLimit(10, 60_000), 1_000L, null, null);
    TenantLedger ledger = admit(TenantLedger.EMPTY, spec, "a", 400, DAY);
    ledger = limiter.settle(ledger, "a", 400, DAY + 100);

    LedgerDecision replayed = limiter.reserve(ledger, spec, "a", 400, DAY + 200);
    assertThat(replayed.decision()).isInstanceOf(AlreadySettled.class);
    assertThat(replayed.decision().headroom(LimitKind.TOKENS_PER_MINUTE))
        .contains(new Headroom(1_000, 600, 60_999 - 200));
    assertThat(replayed.ledger()).isEqualTo(limiter.prune(ledger, spec, DAY + 200));

    // Past the keep window the id is forgotten: a record replayed that late is a new request.
    LedgerDecision forgotten = limiter.reserve(ledger, spec, "a", 400, DAY + 100 + KEEP_MS);
    assertThat(forgotten.decision()).isInstanceOf(Allowed.class);
    assertThat(forgotten.ledger().settled()).isEmpty();
  }

  @Test
  void whenSeveralLimitsRefuseTheOneThatFreesLastIsNamed() {
    LimitSpec spec = new LimitSpec(new RequestLimit(1, 60_000), 5_000L, 1_000L, null);
    TenantLedger ledger = admit(TenantLedger.EMPTY, spec, "a", 1_000, DAY);
    Refused refused = refused(ledger, spec, "b", 1, DAY + 1);
    assertThat(refused.limit()).isEqualTo(LimitKind.DAILY_TOKENS);
    assertThat(refused.retryAfterMs()).isEqualTo(TenantLimiter.DAY_MS - 1);
    assertThat(refused.headroom())
        .containsOnlyKeys(LimitKind.REQUESTS, LimitKind.TOKENS_PER_MINUTE, LimitKind.DAILY_TOKENS);
  }

  @Test
  void aRequestRefusedByOneLimitCountsInNone() {
    LimitSpec spec = new LimitSpec(new RequestLimit(5, 60_000), 1_000L, 10_000L, 1);
    TenantLedger ledger = admit(TenantLedger.EMPTY, spec, "a", 100, DAY);
    Refused refused = refused(ledger, spec, "b", 100, DAY + 1);
    assertThat(refused.limit()).isEqualTo(LimitKind.CONCURRENT);
    assertThat(refused.headroom(LimitKind.REQUESTS)).map(Headroom::remaining).contains(4L);
    assertThat(refused.headroom(LimitKind.TOKENS_PER_MINUTE))
        .map(Headroom::remaining)
        .contains(900L);
    assertThat(refused.headroom(LimitKind.DAILY_TOKENS)).map(Headroom::remaining).contains(9_900L);
  }

  @Test
  void removingTheRequestLimitDropsItsSubBuckets() {
    TenantLedger ledger = admit(TenantLedger.EMPTY, requests(5, 60_000), "a", 0, DAY);
    assertThat(ledger.requests()).hasSize(1);
    assertThat(limiter.prune(ledger, LimitSpec.UNLIMITED, DAY).requests()).isEmpty();
  }
}

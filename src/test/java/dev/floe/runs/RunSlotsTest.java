package dev.floe.runs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.floe.config.QuotasConfig;
import dev.floe.config.RunnersConfig;
import dev.floe.error.ErrorCode;
import dev.floe.error.TryLaterException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Runner slots and their queue: admission, withdrawal, load, and the Retry-After estimate. */
class RunSlotsTest {
  private final RunSlots slots =
      slots(
          Map.of(
              "floe.runners.max-concurrent", "1",
              "floe.runners.queue-size", "2",
              "floe.quotas.queued", "2"));
  private final CountDownLatch started = new CountDownLatch(1);
  private final CountDownLatch release = new CountDownLatch(1);
  private final Runnable holder =
      () -> {
        started.countDown();
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      };

  private static final String A = "team-a";
  private static final String B = "team-b";
  private final List<RunSlots> others = new ArrayList<>();

  @AfterEach
  void stop() {
    release.countDown();
    slots.shutdown();
    others.forEach(RunSlots::shutdown);
  }

  private RunSlots slots(Map<String, String> config) {
    Mappings mappings = new Mappings(config);
    return new RunSlots(mappings.get(RunnersConfig.class), mappings.get(QuotasConfig.class));
  }

  private RunSlots other(Map<String, String> config) {
    RunSlots made = slots(config);
    others.add(made);
    return made;
  }

  @Test
  void aFreeRunnerGoesToThePrincipalsInTurnNotToWhoeverCameFirst() throws InterruptedException {
    RunSlots fair =
        other(
            Map.of(
                "floe.runners.max-concurrent", "1",
                "floe.runners.queue-size", "8",
                "floe.quotas.queued", "8"));
    List<String> order = Collections.synchronizedList(new ArrayList<>());
    CountDownLatch all = new CountDownLatch(5);
    Function<String, Runnable> run =
        name ->
            () -> {
              order.add(name);
              all.countDown();
            };
    fair.admit(A, holder);
    started.await();
    fair.admit(A, run.apply("a1"));
    fair.admit(A, run.apply("a2"));
    fair.admit(A, run.apply("a3"));
    fair.admit(B, run.apply("b1"));
    fair.admit(B, run.apply("b2"));
    assertEquals(new RunSlots.Load(1, 1, 5, 8), fair.load());
    release.countDown();
    assertTrue(all.await(10, TimeUnit.SECONDS));
    assertEquals(List.of("a1", "b1", "a2", "b2", "a3"), order);
  }

  @Test
  void aPrincipalWithItsQuotaOfRunsWaitingIsRefusedWhileOthersStillGetIn()
      throws InterruptedException {
    RunSlots quota =
        other(
            Map.of(
                "floe.runners.max-concurrent", "1",
                "floe.runners.queue-size", "8",
                "floe.quotas.queued", "1"));
    quota.admit(A, holder);
    started.await();
    quota.admit(A, () -> {});
    TryLaterException over = assertThrows(TryLaterException.class, () -> quota.admit(A, () -> {}));
    assertEquals(ErrorCode.QUOTA_EXCEEDED, over.code());
    assertTrue(over.getMessage().contains("1 run(s) running and 1 waiting"), over.getMessage());
    assertTrue(over.retryAfterSeconds() >= 1);
    quota.admit(B, () -> {});
    assertEquals(2, quota.load().queued());
  }

  @Test
  void aPrincipalAtItsRunningQuotaWaitsWhileAFreeRunnerServesAnother() throws Exception {
    RunSlots quota =
        other(
            Map.of(
                "floe.runners.max-concurrent", "2",
                "floe.runners.queue-size", "8",
                "floe.quotas.principals.\"team-a\".running", "1"));
    quota.admit(A, holder);
    started.await();
    CountDownLatch a2 = new CountDownLatch(1);
    CountDownLatch b1 = new CountDownLatch(1);
    quota.admit(A, a2::countDown);
    quota.admit(B, b1::countDown);
    assertTrue(b1.await(10, TimeUnit.SECONDS), "team-b's run took the free runner");
    assertFalse(a2.await(200, TimeUnit.MILLISECONDS), "team-a's second run waits for its first");
    assertEquals(1, quota.load().queued());
    release.countDown();
    assertTrue(a2.await(10, TimeUnit.SECONDS));
  }

  @Test
  void runsWaitInTheQueueUntilItIsFullThenAreRefused() throws InterruptedException {
    slots.admit(A, holder);
    started.await();
    Runnable second = () -> {};
    slots.admit(A, second);
    slots.admit(A, () -> {});
    assertEquals(new RunSlots.Load(1, 1, 2, 2), slots.load());

    BusyException busy = assertThrows(BusyException.class, () -> slots.admit(A, () -> {}));
    assertEquals(ErrorCode.BUSY, busy.code());
    assertTrue(busy.getMessage().contains("All 1 runners are busy and 2 runs are waiting"));
    assertTrue(busy.getMessage().contains("Retry-After"));

    assertTrue(slots.withdraw(second));
    assertFalse(slots.withdraw(second), "it left the queue already");
    assertFalse(slots.withdraw(holder), "a running run is not in the queue");
    assertEquals(1, slots.load().queued());
  }

  @Test
  void retryAfterFollowsRecentRunTimesWithinOneAndTwoMinutes() throws InterruptedException {
    slots.admit(A, holder);
    started.await();
    slots.admit(A, () -> {});
    slots.admit(A, () -> {});
    // The first estimate assumes 2 s runs: 3 runs ahead on 1 runner.
    assertEquals(
        6, assertThrows(BusyException.class, () -> slots.admit(A, () -> {})).retryAfterSeconds());
    for (int i = 0; i < 30; i++) {
      slots.ran(Duration.ofSeconds(30));
    }
    assertEquals(
        90, assertThrows(BusyException.class, () -> slots.admit(A, () -> {})).retryAfterSeconds());
    for (int i = 0; i < 30; i++) {
      slots.ran(Duration.ofMinutes(10));
    }
    assertEquals(
        120, assertThrows(BusyException.class, () -> slots.admit(A, () -> {})).retryAfterSeconds());
    for (int i = 0; i < 60; i++) {
      slots.ran(Duration.ZERO);
    }
    assertEquals(
        1, assertThrows(BusyException.class, () -> slots.admit(A, () -> {})).retryAfterSeconds());
  }

  @Test
  void aQueueTimeoutSaysHowToAvoidIt() {
    var timeout = RunSlots.queueTimeout(Duration.ofSeconds(2));
    assertEquals(ErrorCode.TIMEOUT, timeout.code());
    assertTrue(timeout.getMessage().contains("whole time limit of 2 s"));
    assertTrue(timeout.getMessage().contains("submit it asynchronously"));
  }
}

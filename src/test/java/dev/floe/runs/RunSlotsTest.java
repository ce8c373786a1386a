package dev.floe.runs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.floe.config.RunnersConfig;
import dev.floe.error.ErrorCode;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Runner slots and their queue: admission, withdrawal, load, and the Retry-After estimate. */
class RunSlotsTest {
  private final RunSlots slots =
      new RunSlots(
          new Mappings(Map.of("floe.runners.max-concurrent", "1", "floe.runners.queue-size", "2"))
              .get(RunnersConfig.class));
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

  @AfterEach
  void stop() {
    release.countDown();
    slots.shutdown();
  }

  @Test
  void runsWaitInTheQueueUntilItIsFullThenAreRefused() throws InterruptedException {
    slots.admit(holder);
    started.await();
    Runnable second = () -> {};
    slots.admit(second);
    slots.admit(() -> {});
    assertEquals(new RunSlots.Load(1, 1, 2, 2), slots.load());

    BusyException busy = assertThrows(BusyException.class, () -> slots.admit(() -> {}));
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
    slots.admit(holder);
    started.await();
    slots.admit(() -> {});
    slots.admit(() -> {});
    // The first estimate assumes 2 s runs: 3 runs ahead on 1 runner.
    assertEquals(
        6, assertThrows(BusyException.class, () -> slots.admit(() -> {})).retryAfterSeconds());
    for (int i = 0; i < 30; i++) {
      slots.ran(Duration.ofSeconds(30));
    }
    assertEquals(
        90, assertThrows(BusyException.class, () -> slots.admit(() -> {})).retryAfterSeconds());
    for (int i = 0; i < 30; i++) {
      slots.ran(Duration.ofMinutes(10));
    }
    assertEquals(
        120, assertThrows(BusyException.class, () -> slots.admit(() -> {})).retryAfterSeconds());
    for (int i = 0; i < 60; i++) {
      slots.ran(Duration.ZERO);
    }
    assertEquals(
        1, assertThrows(BusyException.class, () -> slots.admit(() -> {})).retryAfterSeconds());
  }

  @Test
  void aQueueTimeoutSaysHowToAvoidIt() {
    var timeout = RunSlots.queueTimeout(Duration.ofSeconds(2));
    assertEquals(ErrorCode.TIMEOUT, timeout.code());
    assertTrue(timeout.getMessage().contains("whole time limit of 2 s"));
    assertTrue(timeout.getMessage().contains("submit it asynchronously"));
  }
}

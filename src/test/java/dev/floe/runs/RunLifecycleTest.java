package dev.floe.runs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.floe.error.Diagnostics;
import dev.floe.error.ErrorCode;
import dev.floe.error.FloeException;
import dev.floe.workload.Caller;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** A run's states without the HTTP stack: queued, running, succeeded, failed, cancelled. */
class RunLifecycleTest extends RunsTestBase {

  @Test
  void aRunSucceedsAndItsResultIsKeptForTheTtl() throws Exception {
    Ticket ticket = runs.lifecycle.submit(WiredRuns.async(WiredRuns.workload(null)));
    assertFalse(ticket.replay());
    RunRecord end = runs.end(ticket.runId());
    assertEquals(RunStatus.SUCCEEDED, end.status());
    assertEquals(3L, end.rowCount());
    assertEquals(runs.clock.instant(), end.startedAt());
    assertEquals(runs.clock.instant().plus(WiredRuns.RESULT_TTL), end.resultExpiresAt());
    Path kept = Path.of(end.resultFile());
    assertEquals(runs.resultsDir.resolve(ticket.runId() + ".arrows"), kept);
    assertTrue(Files.isRegularFile(kept));
    RunRecord stored = runs.stores.store().get(ticket.runId()).orElseThrow();
    assertEquals(RunStatus.SUCCEEDED, stored.status());
    assertEquals(end.resultFile(), stored.resultFile());
    assertEquals("hello from " + ticket.runId() + "\n", end.logs().text());
  }

  @Test
  void aWorkloadFailureKeepsItsErrorAndABugReadsInternal() throws Exception {
    runs.executor =
        (w, id, control, keep) -> {
          throw new FloeException(
              ErrorCode.SCRIPT_ERROR, "boom at line 2", "tb", Diagnostics.hint("fix it"));
        };
    RunRecord failed =
        runs.end(runs.lifecycle.submit(WiredRuns.async(WiredRuns.workload(null))).runId());
    assertEquals(RunStatus.FAILED, failed.status());
    assertEquals(ErrorCode.SCRIPT_ERROR, failed.error().code());
    assertEquals(failed.runId(), failed.error().runId());
    assertFalse(failed.failedInsideFloe());

    runs.executor =
        (w, id, control, keep) -> {
          throw new IllegalStateException("a bug");
        };
    RunRecord bug =
        runs.end(runs.lifecycle.submit(WiredRuns.async(WiredRuns.workload(null))).runId());
    assertEquals(RunStatus.FAILED, bug.status());
    assertEquals(ErrorCode.INTERNAL, bug.error().code());
    assertTrue(bug.error().getMessage().contains("failed inside Floe; nothing was saved"));
    assertTrue(bug.failedInsideFloe());
  }

  @Test
  void aFullServiceRefusesWithBusyAndAQueuedRunIsCancelledWithoutStarting() throws Exception {
    WiredRuns.Holder holder = runs.holdTheRunner();
    String running = holder.runId();
    assertEquals(RunStatus.RUNNING, runs.lifecycle.get(running).status());
    String queued = runs.lifecycle.submit(WiredRuns.async(WiredRuns.workload(null))).runId();
    assertEquals(RunStatus.QUEUED, runs.lifecycle.get(queued).status());
    assertEquals(new RunSlots.Load(1, 1, 1, 1), runs.slots.load());

    BusyException busy =
        assertThrows(
            BusyException.class,
            () -> runs.lifecycle.submit(WiredRuns.async(WiredRuns.workload(null))));
    assertEquals(ErrorCode.BUSY, busy.code());
    assertTrue(busy.retryAfterSeconds() >= 1, "Retry-After " + busy.retryAfterSeconds());
    assertEquals(
        2,
        runs.lifecycle.list(null, 10, Caller.UNAUTHENTICATED_ADMIN).size(),
        "a refused run leaves no record");

    RunRecord cancelled = runs.lifecycle.cancel(queued, Caller.UNAUTHENTICATED_ADMIN);
    assertEquals(RunStatus.CANCELLED, cancelled.status());
    assertNull(cancelled.startedAt());
    assertEquals(ErrorCode.RUN_CANCELLED, cancelled.error().code());
    holder.release();
    assertEquals(RunStatus.SUCCEEDED, runs.end(running).status());
    FloeException again =
        assertThrows(
            FloeException.class,
            () -> runs.lifecycle.cancel(running, Caller.UNAUTHENTICATED_ADMIN));
    assertEquals(ErrorCode.RUN_FINISHED, again.code());
    assertTrue(again.getMessage().contains("succeeded"), again.getMessage());
  }

  @Test
  void cancelStopsARunningRun() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    runs.executor = WiredRuns.untilCancelled(started);
    String runId = runs.lifecycle.submit(WiredRuns.async(WiredRuns.workload("ns.out"))).runId();
    started.await();
    RunRecord end = runs.lifecycle.cancel(runId, Caller.UNAUTHENTICATED_ADMIN);
    assertEquals(RunStatus.CANCELLED, end.status());
    assertNotNull(end.startedAt());
    assertEquals(RunStatus.CANCELLED, runs.stores.store().get(runId).orElseThrow().status());
  }

  @Test
  void anAbandonedRunIsCancelledUnlessItSaves() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    runs.executor = WiredRuns.untilCancelled(started);
    String plain = runs.lifecycle.submit(WiredRuns.async(WiredRuns.workload(null))).runId();
    started.await();
    runs.lifecycle.abandon(plain);
    assertEquals(RunStatus.CANCELLED, runs.end(plain).status());

    CountDownLatch savesStarted = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    runs.executor = WiredRuns.held(savesStarted, release);
    String saves = runs.lifecycle.submit(WiredRuns.async(WiredRuns.workload("ns.out"))).runId();
    savesStarted.await();
    runs.lifecycle.abandon(saves);
    assertEquals(RunStatus.RUNNING, runs.lifecycle.get(saves).status());
    release.countDown();
    assertEquals(RunStatus.SUCCEEDED, runs.end(saves).status());
  }

  @Test
  void aSynchronousRunStillQueuedAtItsDeadlineLeavesTheQueue() throws Exception {
    WiredRuns.Holder holder = runs.holdTheRunner();
    String running = holder.runId();
    Instant deadline = runs.clock.instant().plusSeconds(2);
    String waiting =
        runs.lifecycle
            .submit(new Submission(WiredRuns.workload(null), null, "h", false, false, deadline))
            .runId();
    FloeException timeout = RunSlots.queueTimeout(Duration.ofSeconds(2));
    assertTrue(runs.lifecycle.expireQueued(waiting, timeout));
    RunRecord end = runs.end(waiting);
    assertEquals(RunStatus.FAILED, end.status());
    assertEquals(ErrorCode.TIMEOUT, end.error().code());
    assertTrue(end.error().getMessage().contains("waited for a free runner"));
    assertFalse(runs.lifecycle.expireQueued(running, timeout), "a running run is not expired");
    holder.release();
    assertEquals(RunStatus.SUCCEEDED, runs.end(running).status());
  }

  @Test
  void logsAreLiveWhileARunRunsAndCompleteOnceItEnded() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    runs.executor =
        (w, id, control, keep) -> {
          byte[] line = "first\n".getBytes();
          control.log().write(line, 0, line.length);
          return WiredRuns.held(started, release).execute(w, id, control, keep);
        };
    String runId = runs.lifecycle.submit(WiredRuns.async(WiredRuns.workload(null))).runId();
    started.await();
    RunLogs.LogsView live = runs.logs.logs(runId, 0);
    assertEquals("first\n", live.slice().text());
    assertFalse(live.complete());
    release.countDown();
    runs.end(runId);
    RunLogs.LogsView done = runs.logs.logs(runId, live.slice().next());
    assertEquals("hello from " + runId + "\n", done.slice().text());
    assertTrue(done.complete());
    FloeException unknown = assertThrows(FloeException.class, () -> runs.logs.logs("r-nope", 0));
    assertEquals(ErrorCode.RUN_NOT_FOUND, unknown.code());
  }
}

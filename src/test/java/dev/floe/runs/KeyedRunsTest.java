package dev.floe.runs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.floe.error.ErrorCode;
import dev.floe.error.FloeException;
import dev.floe.workload.Caller;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Idempotency keys: a retry finds its run, runs again only after Floe itself failed. */
class KeyedRunsTest extends RunsTestBase {

  @Test
  void theSameKeyAndBodyReplayTheRunAndAnotherBodyIsRefused() throws Exception {
    Ticket first = runs.lifecycle.submit(WiredRuns.keyed("k", "body-1"));
    runs.end(first.runId());
    assertEquals(
        new Ticket(first.runId(), true), runs.lifecycle.submit(WiredRuns.keyed("k", "body-1")));
    FloeException reused =
        assertThrows(
            FloeException.class, () -> runs.lifecycle.submit(WiredRuns.keyed("k", "body-2")));
    assertEquals(ErrorCode.IDEMPOTENCY_KEY_REUSED, reused.code());
    assertTrue(reused.getMessage().contains(first.runId()), reused.getMessage());
    assertTrue(reused.getMessage().contains("send a new key"), reused.getMessage());
  }

  @Test
  void aKeyedRetryRunsAgainAfterFloeFailedAndTheKeyMovesToTheNewRun() throws Exception {
    runs.executor =
        (w, id, control, keep) -> {
          throw new IllegalStateException("a bug inside Floe");
        };
    Ticket first = runs.lifecycle.submit(WiredRuns.keyed("k", "body"));
    assertEquals(ErrorCode.INTERNAL, runs.end(first.runId()).error().code());

    runs.executor = WiredRuns::succeed;
    Ticket retry = runs.lifecycle.submit(WiredRuns.keyed("k", "body"));
    assertFalse(retry.replay());
    assertNotEquals(first.runId(), retry.runId());
    assertEquals(RunStatus.SUCCEEDED, runs.end(retry.runId()).status());
    assertEquals(
        new Ticket(retry.runId(), true), runs.lifecycle.submit(WiredRuns.keyed("k", "body")));
    // The failed first run stays listed, as it happened.
    assertEquals(RunStatus.FAILED, runs.lifecycle.get(first.runId()).status());
  }

  @Test
  void aKeyedRetryOfAWorkloadFailureAnswersThatFailure() throws Exception {
    for (ErrorCode workloadFailure :
        List.of(ErrorCode.SCRIPT_ERROR, ErrorCode.TIMEOUT, ErrorCode.SCHEMA_MISMATCH)) {
      runs.executor =
          (w, id, control, keep) -> {
            throw new FloeException(workloadFailure, "the workload's own failure");
          };
      String key = "k-" + workloadFailure;
      Ticket first = runs.lifecycle.submit(WiredRuns.keyed(key, "body"));
      assertEquals(workloadFailure, runs.end(first.runId()).error().code());
      assertEquals(
          new Ticket(first.runId(), true), runs.lifecycle.submit(WiredRuns.keyed(key, "body")));
    }
    CountDownLatch started = new CountDownLatch(1);
    runs.executor = WiredRuns.untilCancelled(started);
    Ticket cancelled = runs.lifecycle.submit(WiredRuns.keyed("k-cancel", "body"));
    started.await();
    runs.lifecycle.cancel(cancelled.runId(), Caller.UNAUTHENTICATED_ADMIN);
    assertEquals(
        new Ticket(cancelled.runId(), true),
        runs.lifecycle.submit(WiredRuns.keyed("k-cancel", "body")));
  }

  @Test
  void aKeyedRetryAfterARestartRunsAgainUnlessItsCommitHadBegun() throws Exception {
    RunStore store = runs.stores.store();
    IdempotencyClaims claims = runs.stores.claims();
    var since = runs.clock.instant().minus(WiredRuns.KEY_TTL);
    RunRecord executing = Stores.queued("r-executing", runs.clock.instant());
    claims.claim("anonymous\nk-exec", "body", executing, since);
    store.update(executing.running(runs.clock.instant()));
    RunRecord saving = Stores.queued("r-saving", runs.clock.instant());
    claims.claim("anonymous\nk-save", "body", saving, since);
    store.update(saving.running(runs.clock.instant()).committing());

    assertEquals(2, store.failInFlight(runs.clock.instant())); // what a restart does first
    RunRecord uncertain = store.get("r-saving").orElseThrow();
    assertTrue(uncertain.error().getMessage().contains("may or may not have landed"));
    assertTrue(uncertain.error().getMessage().contains("service restarted"));

    Ticket rerun = runs.lifecycle.submit(WiredRuns.keyed("k-exec", "body"));
    assertFalse(rerun.replay());
    assertEquals(RunStatus.SUCCEEDED, runs.end(rerun.runId()).status());
    assertEquals(
        new Ticket("r-saving", true), runs.lifecycle.submit(WiredRuns.keyed("k-save", "body")));
  }

  @Test
  void aKeyedRunRefusedAsBusyFreesItsKey() throws Exception {
    WiredRuns.Holder holder = runs.holdTheRunner();
    String queued = runs.lifecycle.submit(WiredRuns.async(WiredRuns.workload(null))).runId();
    assertThrows(BusyException.class, () -> runs.lifecycle.submit(WiredRuns.keyed("k", "body")));
    holder.release();
    runs.end(holder.runId());
    runs.end(queued);
    Ticket later = runs.lifecycle.submit(WiredRuns.keyed("k", "body"));
    assertFalse(later.replay(), "the refused run kept its key");
  }

  @Test
  void concurrentRetriesOfOneKeyAllFindTheOneRun() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    runs.executor = WiredRuns.held(new CountDownLatch(1), release);
    int clients = 8;
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    try {
      List<Future<RunRecord>> seen = new ArrayList<>();
      for (int i = 0; i < clients; i++) {
        seen.add(
            pool.submit(
                () -> {
                  go.await();
                  // What RunsResource does with its ticket: read the run at once (never a 404).
                  return runs.lifecycle.get(
                      runs.lifecycle.submit(WiredRuns.keyed("k", "body")).runId());
                }));
      }
      go.countDown();
      Set<String> ids = new java.util.HashSet<>();
      for (Future<RunRecord> f : seen) {
        ids.add(f.get().runId());
      }
      assertEquals(1, ids.size(), ids.toString());
      release.countDown();
      assertEquals(RunStatus.SUCCEEDED, runs.end(ids.iterator().next()).status());
      assertEquals(
          1,
          runs.lifecycle.list(null, 10, Caller.UNAUTHENTICATED_ADMIN).stream()
              .map(RunRecord::runId)
              .collect(Collectors.toSet())
              .size());
    } finally {
      pool.shutdownNow();
    }
  }
}

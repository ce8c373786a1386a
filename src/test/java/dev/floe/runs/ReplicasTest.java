package dev.floe.runs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.floe.error.ErrorCode;
import dev.floe.error.TryLaterException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two replicas on one run store: {@code runs} (replica A, from the base class) and {@code b}, each
 * with its own clock, which the tests move instead of sleeping. A heartbeat is each replica's
 * {@link Replicas#beat}, called by the test.
 */
class ReplicasTest extends RunsTestBase {
  static final Duration LEASE = Duration.ofSeconds(15); // the default floe.replica.lease

  WiredRuns b;

  @BeforeEach
  void secondReplica() {
    b =
        new WiredRuns(
            dir.resolve("b"), storeUrl(), new Replica("replica-b", "http://127.0.0.1:2"), Map.of());
  }

  @AfterEach
  void closeSecond() {
    b.close();
  }

  /** B sees A's heartbeat, then B's clock moves past the lease while A's heartbeat stands still. */
  private void aStopsAnsweringForTheLease() {
    b.replicas.beat();
    b.clock.advance(LEASE.plusSeconds(1));
    b.replicas.beat();
  }

  @Test
  void aRunOfALostReplicaReadsFailedAndItsReplicaCannotSaveOrEndItAnyMore() throws Exception {
    WiredRuns.Holder held = runs.holdTheRunner();
    assertEquals(RunStatus.RUNNING, b.lifecycle.get(held.runId()).status());
    assertEquals(Stores.REPLICA.id(), b.lifecycle.heldElsewhere(held.runId()).orElseThrow().id());

    aStopsAnsweringForTheLease();

    RunRecord lost = b.lifecycle.get(held.runId());
    assertEquals(RunStatus.FAILED, lost.status());
    assertTrue(lost.error().getMessage().contains("replica lost"), lost.error().getMessage());
    assertTrue(lost.error().getMessage().contains("nothing was saved"));
    assertTrue(lost.failedInsideFloe(), "a keyed retry may run it again");
    assertTrue(b.lifecycle.heldElsewhere(held.runId()).isEmpty(), "its replica is gone");
    assertEquals(List.of("replica-b"), b.replicas.live().stream().map(Replica::id).toList());

    // A, still running it, may not begin to commit its save, and its end changes nothing.
    RunRecord asA = runs.lifecycle.get(held.runId());
    assertFalse(runs.stores.store().update(asA.committing()));
    held.release();
    RunRecord end = runs.end(held.runId());
    assertEquals(RunStatus.FAILED, end.status(), "A's waiters see the record that stands");
    assertEquals(RunStatus.FAILED, b.lifecycle.get(held.runId()).status());

    // A's next heartbeat finds its row gone: it registers again.
    runs.clock.advance(Duration.ofSeconds(2));
    runs.replicas.beat();
    assertEquals(
        List.of("replica-b", Stores.REPLICA.id()),
        b.replicas.live().stream().map(Replica::id).sorted().toList());
  }

  @Test
  void aReplicaWhoseHeartbeatMovesIsNeverTakenForLostWhateverTheClocksSay() throws Exception {
    WiredRuns.Holder held = runs.holdTheRunner();
    // B's clock is far ahead of A's; what counts is that A's heartbeat moves.
    b.clock.advance(Duration.ofDays(1));
    for (int i = 0; i < 10; i++) {
      b.replicas.beat();
      runs.clock.advance(Duration.ofSeconds(2));
      runs.replicas.beat();
      b.clock.advance(Duration.ofSeconds(5));
    }
    assertEquals(RunStatus.RUNNING, b.lifecycle.get(held.runId()).status());
    held.release();
    assertEquals(
        RunStatus.SUCCEEDED, b.lifecycle.await(held.runId(), Duration.ofSeconds(10)).status());
  }

  @Test
  void aRestartOfOneReplicaFailsOnlyItsOwnRunsInFlight() throws Exception {
    WiredRuns.Holder held = runs.holdTheRunner();
    assertEquals(0, b.stores.store().failInFlight(b.clock.instant()), "B restarting");
    assertEquals(RunStatus.RUNNING, b.lifecycle.get(held.runId()).status());
    assertEquals(1, runs.stores.store().failInFlight(runs.clock.instant()), "A restarting");
    RunRecord failed = b.lifecycle.get(held.runId());
    assertTrue(failed.error().getMessage().contains("service restarted"));
    held.release();
  }

  @Test
  void aKeyedRetryOfARunWhoseReplicaWasLostRunsAgainOnAnother() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch never = new CountDownLatch(1);
    runs.executor = WiredRuns.held(started, never);
    String first = runs.lifecycle.submit(WiredRuns.keyed("k", "body")).runId();
    started.await();
    // While A is alive, a retry through B finds A's run.
    assertEquals(new Ticket(first, true), b.lifecycle.submit(WiredRuns.keyed("k", "body")));

    aStopsAnsweringForTheLease();

    Ticket retry = b.lifecycle.submit(WiredRuns.keyed("k", "body"));
    assertFalse(retry.replay());
    assertNotEquals(first, retry.runId());
    assertEquals(RunStatus.SUCCEEDED, b.end(retry.runId()).status());
    assertEquals(
        new Ticket(retry.runId(), true), runs.lifecycle.submit(WiredRuns.keyed("k", "body")));
    never.countDown();
  }

  /** Removes replica {@code id}'s row, as another replica does when it takes it for lost. */
  void removeRow(String id) {
    runs.stores
        .database()
        .transaction(
            "remove a replica",
            db -> {
              try (var p = db.prepareStatement("DELETE FROM floe_replicas WHERE replica_id=?")) {
                p.setString(1, id);
                return p.executeUpdate();
              }
            });
  }

  @Test
  void aReplicaThatFindsItsRowGoneRegistersAgainAndKeepsTheRunsNobodyFailed() throws Exception {
    WiredRuns.Holder held = runs.holdTheRunner();
    removeRow(Stores.REPLICA.id()); // taken for lost, its runs not failed (yet)
    runs.clock.advance(Duration.ofSeconds(2));
    runs.replicas.beat();
    assertTrue(runs.replicas.live().stream().anyMatch(r -> r.id().equals(Stores.REPLICA.id())));
    assertEquals(RunStatus.RUNNING, runs.lifecycle.get(held.runId()).status(), "not cancelled");
    held.release();
    assertEquals(RunStatus.SUCCEEDED, runs.end(held.runId()).status());
  }

  @Test
  void aRunWhoseEndCouldNotBeRecordedReadsFailedAtTheNextHeartbeat() {
    // In the store as in flight on this replica, but no longer among its runs in flight: its end
    // was lost (the store failed as it was recorded).
    RunRecord lostEnd = Stores.queued("r-lost-end", runs.clock.instant());
    runs.stores.store().insert(lostEnd);
    runs.replicas.beat();
    RunRecord failed = runs.lifecycle.get("r-lost-end");
    assertEquals(RunStatus.FAILED, failed.status());
    assertTrue(
        failed.error().getMessage().contains("could not record its end"),
        failed.error().getMessage());
  }

  @Test
  void aRunOfAnotherReplicaIsAwaitedThroughTheStore() throws Exception {
    WiredRuns.Holder held = runs.holdTheRunner();
    assertEquals(null, b.lifecycle.await(held.runId(), Duration.ofMillis(200)));
    held.release();
    RunRecord end = b.lifecycle.await(held.runId(), Duration.ofSeconds(10));
    assertEquals(RunStatus.SUCCEEDED, end.status());
    assertEquals("hello from " + held.runId() + "\n", end.logs().text());
  }

  @Test
  void aPrincipalsQuotaHoldsAcrossReplicas() throws Exception {
    // Quota: 1 running (one runner) and 1 waiting (floe.quotas.queued=1), for everyone.
    WiredRuns.Holder held = runs.holdTheRunner();
    String waiting = runs.lifecycle.submit(WiredRuns.async(WiredRuns.workload(null))).runId();
    TryLaterException refused =
        assertThrows(
            TryLaterException.class,
            () -> b.lifecycle.submit(WiredRuns.async(WiredRuns.workload(null))));
    assertEquals(ErrorCode.QUOTA_EXCEEDED, refused.code());
    assertTrue(
        refused.getMessage().contains("across the service's replicas"), refused.getMessage());
    assertTrue(refused.retryAfterSeconds() >= 1);
    held.release();
    runs.end(held.runId());
    runs.end(waiting);
    assertEquals(
        RunStatus.SUCCEEDED,
        b.end(b.lifecycle.submit(WiredRuns.async(WiredRuns.workload(null))).runId()).status());
  }
}

package dev.floe.runs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * {@link ReplicasTest}'s cases on PostgreSQL, the store replicas share in production, and what only
 * a server with concurrent transactions can show: replicas claiming one key at once.
 */
class ReplicasPostgresTest extends ReplicasTest {
  @Override
  String storeUrl() {
    return postgres("floe_replicas_test");
  }

  /**
   * A replica fails another's stranded run from the row it read; if the run's own replica began to
   * commit its save between that read and the write, the run is not failed as if nothing was saved
   * (a keyed retry would then save twice): it is left for the next look, which says the save may
   * have landed.
   */
  @Test
  void aRunThatBeganToCommitWhileBeingFailedKeepsThatItMayHaveSaved() throws Exception {
    WiredRuns.Holder held = runs.holdTheRunner();
    removeRow(Stores.REPLICA.id());
    try (Connection owner = DriverManager.getConnection(storeUrl())) {
      owner.setAutoCommit(false);
      try (var p = owner.prepareStatement("UPDATE floe_runs SET commit_started=1 WHERE run_id=?")) {
        p.setString(1, held.runId());
        p.executeUpdate(); // the owner's "committing", not committed yet: it holds the row
      }
      ExecutorService pool = Executors.newSingleThreadExecutor();
      try {
        Future<Integer> failing =
            pool.submit(() -> b.stores.store().failOrphans(b.clock.instant()));
        Thread.sleep(300); // B has read the run (not committing) and waits on its row
        owner.commit();
        assertEquals(0, failing.get(), "the row changed since B read it");
      } finally {
        pool.shutdownNow();
      }
    }
    RunRecord stillThere = b.lifecycle.get(held.runId());
    assertEquals(RunStatus.RUNNING, stillThere.status());
    assertEquals(1, b.stores.store().failOrphans(b.clock.instant()));
    RunRecord failed = b.lifecycle.get(held.runId());
    assertTrue(failed.error().getMessage().contains("may or may not have landed"));
    assertFalse(failed.failedInsideFloe(), "a keyed retry must not run it again");
    held.release();
  }

  @Test
  void replicasClaimingOneKeyAtOnceMakeOneRun() throws Exception {
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<Ticket>> tickets = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        WiredRuns replica = i % 2 == 0 ? runs : b;
        tickets.add(
            pool.submit(
                () -> {
                  go.await();
                  return replica.lifecycle.submit(WiredRuns.keyed("together", "body"));
                }));
      }
      go.countDown();
      Set<String> runIds = new HashSet<>();
      int replays = 0;
      for (Future<Ticket> ticket : tickets) {
        runIds.add(ticket.get().runId());
        replays += ticket.get().replay() ? 1 : 0;
      }
      assertEquals(1, runIds.size(), "one run for the key: " + runIds);
      assertEquals(7, replays);
    } finally {
      pool.shutdownNow();
    }
  }
}

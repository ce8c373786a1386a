package dev.floe.runs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.floe.testing.TempPostgres;
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
  private String url;

  @Override
  String storeUrl() {
    if (url == null) {
      url = TempPostgres.newDatabase("floe_replicas_test");
    }
    return url;
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

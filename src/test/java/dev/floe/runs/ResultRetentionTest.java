package dev.floe.runs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Kept results, records and keys expire when the clock says so; no sleeping. */
class ResultRetentionTest extends RunsTestBase {

  @Test
  void aKeptResultLastsItsTtlThenTheRecordItsRetention() throws Exception {
    String runId = runs.lifecycle.submit(WiredRuns.async(WiredRuns.workload(null))).runId();
    Path kept = Path.of(runs.end(runId).resultFile());

    runs.clock.advance(WiredRuns.RESULT_TTL.minusSeconds(1));
    runs.retention.sweep();
    assertTrue(Files.exists(kept));
    runs.clock.advance(Duration.ofSeconds(2));
    runs.retention.sweep();
    assertFalse(Files.exists(kept));
    RunRecord after = runs.lifecycle.get(runId);
    assertEquals(RunStatus.SUCCEEDED, after.status());
    assertNull(after.resultFile());

    runs.clock.advance(WiredRuns.RETENTION);
    runs.retention.sweep();
    assertTrue(runs.stores.store().get(runId).isEmpty());
  }

  @Test
  void keysAreForgottenAfterTheirTtl() throws Exception {
    Ticket first = runs.lifecycle.submit(WiredRuns.keyed("k", "body"));
    runs.end(first.runId());
    runs.clock.advance(WiredRuns.KEY_TTL.plusSeconds(1));
    runs.retention.sweep();
    assertEquals(0, runs.stores.claims().prune(runs.clock.instant()), "the sweep pruned it");
    assertFalse(runs.lifecycle.submit(WiredRuns.keyed("k", "body")).replay());
  }

  @Test
  void orphanedFilesGoButARunInFlightKeepsItsFile() throws Exception {
    Files.createDirectories(runs.resultsDir);
    Path orphan = Files.writeString(runs.resultsDir.resolve("r-gone.arrows"), "x");
    WiredRuns.Holder holder = runs.holdTheRunner();
    String runId = holder.runId();
    Path inFlight = Files.writeString(runs.retention.fileFor(runId), "being written");

    runs.retention.sweep();
    assertFalse(Files.exists(orphan));
    assertTrue(Files.exists(inFlight));
    holder.release();
    runs.end(runId);
    runs.retention.sweep();
    assertTrue(Files.exists(inFlight), "a kept result is not an orphan");
  }

  @Test
  void aDiscardedResultIsRemovedAtOnce() throws Exception {
    String runId = runs.lifecycle.submit(WiredRuns.async(WiredRuns.workload(null))).runId();
    Path kept = Path.of(runs.end(runId).resultFile());
    runs.retention.discardResult(runId);
    assertFalse(Files.exists(kept));
    assertNull(runs.lifecycle.get(runId).resultFile());
  }
}

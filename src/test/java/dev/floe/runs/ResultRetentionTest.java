package dev.floe.runs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Kept results, records and keys expire when the clock says so; no sleeping. */
class ResultRetentionTest {
  @TempDir Path dir;
  TestRuns runs;

  @BeforeEach
  void wire() {
    runs = new TestRuns(dir);
  }

  @AfterEach
  void close() {
    runs.close();
  }

  @Test
  void aKeptResultLastsItsTtlThenTheRecordItsRetention() throws Exception {
    String runId = runs.lifecycle.submit(TestRuns.async(TestRuns.workload(null))).runId();
    Path kept = Path.of(runs.end(runId).resultFile());

    runs.clock.advance(TestRuns.RESULT_TTL.minusSeconds(1));
    runs.retention.sweep();
    assertTrue(Files.exists(kept));
    runs.clock.advance(Duration.ofSeconds(2));
    runs.retention.sweep();
    assertFalse(Files.exists(kept));
    RunRecord after = runs.lifecycle.get(runId);
    assertEquals(RunStatus.SUCCEEDED, after.status());
    assertNull(after.resultFile());

    runs.clock.advance(TestRuns.RETENTION);
    runs.retention.sweep();
    assertTrue(runs.stores.store().get(runId).isEmpty());
  }

  @Test
  void keysAreForgottenAfterTheirTtl() throws Exception {
    Ticket first = runs.lifecycle.submit(TestRuns.keyed("k", "body"));
    runs.end(first.runId());
    runs.clock.advance(TestRuns.KEY_TTL.plusSeconds(1));
    runs.retention.sweep();
    assertEquals(0, runs.stores.claims().prune(runs.clock.instant()), "the sweep pruned it");
    assertFalse(runs.lifecycle.submit(TestRuns.keyed("k", "body")).replay());
  }

  @Test
  void orphanedFilesGoButARunInFlightKeepsItsFile() throws Exception {
    Files.createDirectories(runs.resultsDir);
    Path orphan = Files.writeString(runs.resultsDir.resolve("r-gone.arrows"), "x");
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    runs.executor = TestRuns.held(started, release);
    String runId = runs.lifecycle.submit(TestRuns.async(TestRuns.workload(null))).runId();
    started.await();
    Path inFlight = Files.writeString(runs.retention.fileFor(runId), "being written");

    runs.retention.sweep();
    assertFalse(Files.exists(orphan));
    assertTrue(Files.exists(inFlight));
    release.countDown();
    runs.end(runId);
    runs.retention.sweep();
    assertTrue(Files.exists(inFlight), "a kept result is not an orphan");
  }

  @Test
  void aDiscardedResultIsRemovedAtOnce() throws Exception {
    String runId = runs.lifecycle.submit(TestRuns.async(TestRuns.workload(null))).runId();
    Path kept = Path.of(runs.end(runId).resultFile());
    runs.retention.discardResult(runId);
    assertFalse(Files.exists(kept));
    assertNull(runs.lifecycle.get(runId).resultFile());
  }
}

package dev.floe.runs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.floe.error.ErrorCode;
import dev.floe.error.FloeException;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** A record's states, and which failures let a keyed retry run again. */
class RunRecordTest {
  private static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");
  private final RunRecord running = Stores.queued("r-1", T0).running(T0.plusSeconds(1));

  private RunRecord failedWith(RunRecord run, ErrorCode code) {
    return run.failed(T0.plusSeconds(2), 1000L, new FloeException(code, "why"), null);
  }

  @Test
  void onlyAFailureOfFloeBeforeAnyCommitRunsAgain() {
    assertTrue(failedWith(running, ErrorCode.INTERNAL).failedInsideFloe());
    assertTrue(failedWith(running, ErrorCode.SANDBOX_UNAVAILABLE).failedInsideFloe());
    assertFalse(failedWith(running.committing(), ErrorCode.INTERNAL).failedInsideFloe());
    for (ErrorCode workload :
        new ErrorCode[] {
          ErrorCode.SCRIPT_ERROR,
          ErrorCode.TIMEOUT,
          ErrorCode.SCHEMA_MISMATCH,
          ErrorCode.OUT_OF_MEMORY,
          ErrorCode.COMMIT_CONFLICT,
          ErrorCode.RUN_CANCELLED
        }) {
      assertFalse(failedWith(running, workload).failedInsideFloe(), workload.name());
    }
    assertFalse(running.failedInsideFloe());
  }

  @Test
  void aCancelReadsCancelledAndTheOutputBelongsToSuccess() {
    RunRecord cancelled = failedWith(running, ErrorCode.RUN_CANCELLED);
    assertEquals(RunStatus.CANCELLED, cancelled.status());
    assertNull(cancelled.rowCount());
    assertEquals(T0.plusSeconds(2), cancelled.finishedAt());
    RunRecord done =
        running.succeeded(
            T0.plusSeconds(3), 2000, null, new RunRecord.Output(5L, null, null, "/f", T0));
    assertEquals(RunStatus.SUCCEEDED, done.status());
    assertEquals(5L, done.rowCount());
    assertNull(done.error());
    assertEquals(T0.plusSeconds(1), done.startedAt());
    assertEquals("ns.out", done.destination());
  }
}

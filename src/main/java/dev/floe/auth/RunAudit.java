package dev.floe.auth;

import dev.floe.catalog.SaveOutcome;
import dev.floe.error.FloeException;
import dev.floe.runs.RunRecord;
import dev.floe.runs.RunWatch;
import dev.floe.workload.TableRead;
import dev.floe.workload.Workload;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.List;

/** Each run's end, in the audit trail: who, what it read at which snapshots, what it saved. */
@Singleton
public class RunAudit implements RunWatch {
  private final AuditTrail trail;
  private final Clock clock;

  public RunAudit(AuditTrail trail, Clock clock) {
    this.trail = trail;
    this.clock = clock;
  }

  @Override
  public void ended(RunRecord end, Workload workload, List<TableRead> reads) {
    FloeException error = end.error();
    SaveOutcome saved = end.saved();
    trail.append(
        new AuditTrail.Entry(
            0,
            clock.instant(),
            workload.principal(),
            workload.caller().credential(),
            null,
            "run",
            end.mode(),
            AuditTrail.sha256(workload.source()),
            reads,
            saved != null
                ? (end.catalog() == null ? "" : end.catalog() + ".") + saved.table()
                : workload.destination() == null ? null : workload.destination().table().toString(),
            saved == null ? null : saved.snapshotId(),
            null,
            AuditTrail.outcome(error == null ? null : error.code()),
            error == null ? null : error.code().name(),
            end.runId()));
  }
}

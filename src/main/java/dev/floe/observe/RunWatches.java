package dev.floe.observe;

import dev.floe.auth.AuditTrail;
import dev.floe.runs.RunRecord;
import dev.floe.runs.RunWatch;
import dev.floe.workload.TableRead;
import dev.floe.workload.Workload;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.List;

/** Who hears of every run's start and end: the audit trail, the metrics, the lineage. */
@Singleton
public class RunWatches {
  @Produces
  @Singleton
  RunWatch runWatch(AuditTrail audit, RunMetrics metrics, Lineage lineage) {
    return new RunWatch() {
      @Override
      public void started(RunRecord running, Workload workload) {
        lineage.started(running, workload);
      }

      @Override
      public void ended(RunRecord end, Workload workload, List<TableRead> reads) {
        audit.ended(end, workload, reads);
        metrics.ended(end, workload, reads);
        lineage.ended(end, workload, reads);
      }
    };
  }
}

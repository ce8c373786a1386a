package dev.floe.observe;

import dev.floe.auth.AuditTrail;
import dev.floe.runs.RunWatch;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** Who hears of every run's end: the audit trail, then the metrics. */
@Singleton
public class RunWatches {
  @Produces
  @Singleton
  RunWatch runWatch(AuditTrail audit, RunMetrics metrics) {
    return (end, workload, reads) -> {
      audit.ended(end, workload, reads);
      metrics.ended(end, workload, reads);
    };
  }
}

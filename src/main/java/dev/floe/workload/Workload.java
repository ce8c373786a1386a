package dev.floe.workload;

import java.util.List;
import java.util.Map;

/**
 * A validated request: everything a run needs, nothing left to check for shape.
 *
 * @param catalog the catalog name as the client gave it; null for the default
 * @param destination null when the result is not saved
 * @param profile track each plan node's time and rows while the result is computed
 * @param jobName the name lineage gives the run's job, or null for one derived from its source
 * @param caller who asked
 */
public record Workload(
    Mode mode,
    String source,
    List<TableBinding> tables,
    Map<String, Object> params,
    String catalog,
    Destination destination,
    RunLimits limits,
    Compute compute,
    boolean dryRun,
    boolean profile,
    String jobName,
    Caller caller) {

  /** The same workload with other limits. */
  public Workload withLimits(RunLimits other) {
    return new Workload(
        mode,
        source,
        tables,
        params,
        catalog,
        destination,
        other,
        compute,
        dryRun,
        profile,
        jobName,
        caller);
  }

  /** The caller's name: runs, quotas and idempotency keys belong to it. */
  public String principal() {
    return caller.principal();
  }
}

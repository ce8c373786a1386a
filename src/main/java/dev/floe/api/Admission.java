package dev.floe.api;

import dev.floe.workload.Workload;
import dev.floe.workload.WorkloadService;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * A workload request on its way in: checked for shape, within its caller's budgets, in a catalog
 * the caller sees and saving only where it may write; then noted for the request's audit entry.
 */
@ApplicationScoped
public class Admission {
  private final RequestMapper requests;
  private final WorkloadService workloads;
  private final CurrentRequest current;

  public Admission(RequestMapper requests, WorkloadService workloads, CurrentRequest current) {
    this.requests = requests;
    this.workloads = workloads;
    this.current = current;
  }

  public Workload admit(PolarsRequest request) {
    Workload workload = requests.toWorkload(request, current.caller());
    current.running(workload, null);
    workloads.admit(workload);
    return workload;
  }
}

package dev.floe.api;

import dev.floe.workload.Workload;
import dev.floe.workload.WorkloadService;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
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

  private final Tracer tracer;

  public Admission(
      RequestMapper requests, WorkloadService workloads, CurrentRequest current, Tracer tracer) {
    this.requests = requests;
    this.workloads = workloads;
    this.current = current;
    this.tracer = tracer;
  }

  /** Checks the request (a span {@code floe.validate} of the request's trace). */
  public Workload admit(PolarsRequest request) {
    Span validate = tracer.spanBuilder("floe.validate").startSpan();
    try (Scope scope = validate.makeCurrent()) {
      Workload workload = requests.toWorkload(request, current.caller());
      current.running(workload, null);
      workloads.admit(workload);
      return workload;
    } catch (RuntimeException refused) {
      validate.setStatus(StatusCode.ERROR, refused.getClass().getSimpleName());
      throw refused;
    } finally {
      validate.end();
    }
  }
}

package dev.floe.workload;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.util.Locale;

/**
 * One run's trace: a span {@code floe.run} from its acceptance to its end, child of the request
 * that asked for it (and so of the caller's {@code traceparent}), with one child span per phase
 * ({@code floe.queue}, {@code floe.plan}, {@code floe.sandbox_start}, {@code floe.execute}, {@code
 * floe.commit}), each ending when the next begins. Its trace id exists whether or not the trace is
 * sampled for export, so the run record, the response and the logs can always name it.
 */
public final class RunTrace {
  /** For code without tracing (tests of one package): spans that record nothing. */
  public static final Tracer NONE = OpenTelemetry.noop().getTracer("floe");

  static final AttributeKey<String> RUN_ID = AttributeKey.stringKey("floe.run_id");
  static final AttributeKey<String> ERROR_CODE = AttributeKey.stringKey("floe.error_code");

  private final Tracer tracer;
  private final String runId;
  private final Span run;
  private Span phase;

  private RunTrace(Tracer tracer, String runId, Span run) {
    this.tracer = tracer;
    this.runId = runId;
    this.run = run;
  }

  /** A trace that records nothing, for a run outside the service (tests of one package). */
  public static RunTrace none() {
    return new RunTrace(NONE, "", Span.getInvalid());
  }

  /** The run's span begins now, under whatever span is current (the request's). */
  public static RunTrace begin(Tracer tracer, String runId, Mode mode) {
    Span run =
        tracer
            .spanBuilder("floe.run")
            .setParent(Context.current())
            .setAttribute(RUN_ID, runId)
            .setAttribute("floe.mode", mode.name().toLowerCase(Locale.ROOT))
            .startSpan();
    RunTrace trace = new RunTrace(tracer, runId, run);
    trace.phase(RunPhase.QUEUE);
    return trace;
  }

  /** The W3C trace id (32 hex digits), or null when tracing is off. */
  public String traceId() {
    SpanContext context = run.getSpanContext();
    return context.isValid() ? context.getTraceId() : null;
  }

  /** Makes the run's span current on this thread (what Floe logs and traces there joins it). */
  public Scope enter() {
    return run.makeCurrent();
  }

  /** The previous phase ends, {@code next} begins. */
  public synchronized void phase(RunPhase next) {
    if (phase != null) {
      phase.end();
    }
    phase =
        tracer
            .spanBuilder("floe." + next.name().toLowerCase(Locale.ROOT))
            .setParent(Context.current().with(run))
            .setAttribute(RUN_ID, runId)
            .startSpan();
  }

  /** The run ended: its last phase and its span end, marked with its error code if it failed. */
  public synchronized void end(String status, String errorCode) {
    if (phase != null) {
      phase.end();
      phase = null;
    }
    run.setAttribute("floe.status", status);
    if (errorCode != null) {
      run.setAttribute(ERROR_CODE, errorCode);
      run.setStatus(StatusCode.ERROR, errorCode);
    }
    run.end();
  }
}

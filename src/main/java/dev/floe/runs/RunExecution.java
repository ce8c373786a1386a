package dev.floe.runs;

import dev.floe.error.ErrorCode;
import dev.floe.error.FloeException;
import dev.floe.workload.RunLimits;
import dev.floe.workload.RunTrace;
import dev.floe.workload.Workload;
import dev.floe.workload.WorkloadService;
import io.opentelemetry.context.Scope;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * What a runner does with one accepted run: start it (unless it was cancelled while it waited),
 * execute it, and give it a final record whatever happens, so nobody waits for it forever.
 */
@Singleton
public class RunExecution {
  private static final Logger LOG = Logger.getLogger(RunExecution.class);

  private final RunExecutor executor;
  private final RunStore store;
  private final ActiveRuns active;
  private final RunSlots slots;
  private final ResultRetention retention;
  private final Clock clock;

  public RunExecution(
      RunExecutor executor,
      RunStore store,
      ActiveRuns active,
      RunSlots slots,
      ResultRetention retention,
      Clock clock) {
    this.executor = executor;
    this.store = store;
    this.active = active;
    this.slots = slots;
    this.retention = retention;
    this.clock = clock;
  }

  /**
   * {@link #run} inside the run's trace, with its id and its trace's on every line the service logs
   * meanwhile (JSON logs: the fields run_id and traceId).
   */
  void runTraced(ActiveRun run, RunTrace trace) {
    MDC.put(RunLifecycle.RUN_ID_MDC, run.runId());
    if (trace.traceId() != null) {
      MDC.put(RunLifecycle.TRACE_ID_MDC, trace.traceId());
    }
    try (Scope scope = trace.enter()) {
      run(run);
    } finally {
      MDC.remove(RunLifecycle.RUN_ID_MDC);
      MDC.remove(RunLifecycle.TRACE_ID_MDC);
    }
  }

  /** Runs on a runner thread, once the run's turn came. */
  void run(ActiveRun run) {
    String runId = run.runId();
    if (run.control().cancelled()) {
      active.finish(run, cancelled(run));
      return;
    }
    FloeException refused = run.submission().workload().caller().refusal();
    if (refused != null) {
      active.finish(run, failed(run, refused.inRun(runId), System.nanoTime()));
      return;
    }
    Instant started = clock.instant();
    run.record(run.record().running(started));
    long t0 = System.nanoTime();
    RunRecord end;
    try {
      if (!store.update(run.record())) {
        throw lost(runId);
      }
      active.started(run);
      Workload workload = withinDeadline(run.submission(), started);
      RunExecutor.Executed done =
          executor.execute(workload, runId, run.control(), retention.fileFor(runId));
      Instant now = clock.instant();
      String kept = done.kept() == null ? null : done.kept().toString();
      end =
          run.record()
              .succeeded(
                  now,
                  done.elapsed().toMillis(),
                  run.control().log().snapshot(),
                  new RunRecord.Output(
                      done.rowCount(),
                      done.saved(),
                      done.plan(),
                      kept,
                      kept == null ? null : retention.keptUntil(now),
                      done.timings(),
                      done.compute(),
                      run.control().profile()));
    } catch (FloeException failure) {
      end = failed(run, failure.inRun(runId), t0);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      run.control().cancel();
      end = cancelled(run);
    } catch (RuntimeException | Error bug) {
      LOG.errorf(bug, "run %s failed inside Floe", runId);
      end = failed(run, insideFloe(runId, run.record().commitStarted()), t0);
    }
    slots.ran(Duration.ofNanos(System.nanoTime() - t0));
    active.finish(run, end);
  }

  /** Records that the run's save is about to be committed (from here on it may land). */
  void committing(ActiveRun run) {
    RunRecord committing = run.record().committing();
    if (!store.update(committing)) {
      throw lost(run.runId()); // another replica recorded it failed: its save must not land
    }
    run.record(committing);
  }

  /**
   * The failure of a run that another replica recorded failed, having taken this one for lost (its
   * heartbeat stood still for the lease): the run stops here, before it saves anything.
   */
  private FloeException lost(String runId) {
    LOG.errorf(
        "run %s: another replica recorded it failed, taking this replica (%s) for lost; it stops"
            + " here. Is the run store slow, or this process starved? (floe.replica.lease)",
        runId, store.self().id());
    return new FloeException(
            ErrorCode.INTERNAL,
            "Run "
                + runId
                + " was stopped because its replica stopped answering (replica lost); nothing was"
                + " saved. Run it again.")
        .inRun(runId);
  }

  /** The record of a run that ended with {@code failure}, {@code t0} being its start (nanos). */
  RunRecord failed(ActiveRun run, FloeException failure, long t0) {
    return run.record()
        .failed(
            clock.instant(),
            (System.nanoTime() - t0) / 1_000_000,
            failure,
            run.control().log().snapshot());
  }

  /** The record of a run cancelled before it finished. */
  RunRecord cancelled(ActiveRun run) {
    String runId = run.runId();
    return run.record()
        .failed(
            clock.instant(),
            null,
            WorkloadService.cancelled(runId).inRun(runId),
            run.control().log().snapshot());
  }

  private static FloeException insideFloe(String runId, boolean whileSaving) {
    String saved =
        whileSaving
            ? " while saving, so the save may or may not have landed (check the table's latest"
                + " snapshot)"
            : "; nothing was saved";
    return new FloeException(
            ErrorCode.INTERNAL,
            "Run "
                + runId
                + " failed inside Floe"
                + saved
                + ". Report the run id to the operator, whose log has the cause.")
        .inRun(runId);
  }

  /** A synchronous caller's time in the queue counts against its run's time limit. */
  private static Workload withinDeadline(Submission submission, Instant started) {
    Workload workload = submission.workload();
    if (submission.deadline() == null) {
      return workload;
    }
    RunLimits asked = workload.limits();
    Duration waited = asked.timeout().minus(Duration.between(started, submission.deadline()));
    if (waited.isNegative() || waited.isZero()) {
      return workload;
    }
    if (asked.timeout().minus(waited).toMillis() < 1000) {
      throw RunSlots.queueTimeout(asked.timeout());
    }
    return workload.withLimits(asked.afterQueueing(waited));
  }
}

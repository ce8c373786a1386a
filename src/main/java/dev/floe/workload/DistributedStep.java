package dev.floe.workload;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.floe.distributed.DispatchRun;
import dev.floe.distributed.Dispatcher;
import dev.floe.distributed.Placement;
import dev.floe.error.ErrorCode;
import dev.floe.error.FloeException;
import dev.floe.sandbox.RunFiles;
import dev.floe.sandbox.RunnerExit;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jboss.logging.Logger;

/**
 * A distributed run's second half, after its sandbox wrote the plan: the trusted dispatcher sends
 * the plan with the run's grants to the engine, and the run waits for the result it brings back.
 */
@ApplicationScoped
public class DistributedStep {
  private static final Logger LOG = Logger.getLogger(DistributedStep.class);

  private final Dispatcher dispatcher;
  private final RunJobs jobs;
  private final ObjectMapper json;

  public DistributedStep(Dispatcher dispatcher, RunJobs jobs, ObjectMapper json) {
    this.dispatcher = dispatcher;
    this.jobs = jobs;
    this.json = json;
  }

  /**
   * Sends the plan and waits for the engine; returns the finished dispatch (its result in place,
   * for the caller to delete once read) or throws why the run failed, the dispatch deleted.
   *
   * @param logs the sandbox's log, kept with a failure
   */
  DispatchRun run(
      Workload workload,
      String runId,
      Placement placement,
      Path planFile,
      RunAccess tables,
      ResultPipe pipe,
      RunControl control,
      String logs)
      throws InterruptedException, IOException {
    // A key revoked while the sandbox ran: nothing is sent to (or paid for on) the engine.
    FloeException revoked = workload.caller().refusal();
    if (revoked != null) {
      throw new RunFailedException(revoked, logs);
    }
    // Cancelled between the sandbox's end and now: the credentials are never handed out.
    if (control.cancelled()) {
      throw new RunFailedException(WorkloadService.cancelled(runId), logs);
    }
    DispatchRun dispatch =
        dispatcher.start(
            request(workload, runId, placement, planFile, tables),
            pipe != null,
            event -> progress(control, event));
    boolean finished = false;
    try {
      await(dispatch, workload, runId, pipe, control, logs);
      finished = true;
      return dispatch;
    } finally {
      if (!finished) {
        dispatch.delete();
      }
    }
  }

  /** What the dispatcher gets: the plan the sandbox wrote (read here, bounded) and the grants. */
  private Dispatcher.Request request(
      Workload workload, String runId, Placement placement, Path planFile, RunAccess tables) {
    String plan;
    try {
      long size = Files.size(planFile);
      if (size > dispatcher.maxPlanBytes()) {
        throw new FloeException(
            ErrorCode.PLAN_NOT_DISTRIBUTABLE,
            "The run's plan is "
                + size
                + " bytes, above this server's limit of "
                + dispatcher.maxPlanBytes()
                + " (floe.distributed.max-plan-bytes; literal data in a plan counts); read that"
                + " data from a table instead, or run without distributed.");
      }
      plan = Files.readString(planFile);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the plan of run " + runId, e);
    }
    return new Dispatcher.Request(
        runId,
        workload.mode() == Mode.QUERY ? "query" : "script",
        placement,
        plan,
        tables.grantedTables(),
        jobs.maxResultBytes());
  }

  /** Waits for the dispatch; a failed, cancelled or timed-out one throws why. */
  private void await(
      DispatchRun dispatch,
      Workload workload,
      String runId,
      ResultPipe pipe,
      RunControl control,
      String logs)
      throws InterruptedException {
    if (pipe != null) {
      pipe.created(dispatch.result());
    }
    control.attach(dispatch);
    RunnerExit exit;
    try {
      exit = dispatch.await();
    } finally {
      if (pipe != null) {
        pipe.writerGone();
      }
    }
    LOG.infof(
        "run %s: dispatched as query %s, exit=%d timedOut=%s in %d ms",
        runId, dispatch.queryId(), exit.exitCode(), exit.timedOut(), exit.elapsed().toMillis());
    if (control.cancelled() || exit.exitCode() == DispatchRun.EXIT_CANCELLED && !exit.timedOut()) {
      throw new RunFailedException(WorkloadService.cancelled(runId), logs);
    }
    if (exit.timedOut()) {
      throw new RunFailedException(
          new FloeException(
              ErrorCode.TIMEOUT,
              "The distributed run did not finish within "
                  + dispatch.timeout().toSeconds()
                  + " s (floe.distributed.timeout) and was cancelled on the cluster; filter or"
                  + " aggregate earlier, or ask for a larger cluster (clusterSize)."),
          logs);
    }
    if (exit.exitCode() != 0 || (pipe == null && !RunFiles.isPlainFile(dispatch.result()))) {
      // The dispatcher is Floe's own code: without its error file, the failure is Floe's.
      FloeException reported =
          RunFailures.fromDispatcher(dispatch.errorFile(), workload.limits(), json);
      FloeException failure =
          reported != null
              ? reported
              : new FloeException(
                  ErrorCode.INTERNAL,
                  "The distributed dispatcher of run "
                      + runId
                      + " ended (exit "
                      + exit.exitCode()
                      + ") without saying why; retry, and report the run id if it happens"
                      + " again.");
      throw new RunFailedException(failure, logs);
    }
  }

  /** The dispatcher's progress, as lines of the run's log. */
  private static void progress(RunControl control, JsonNode event) {
    String line =
        switch (event.path("event").asText()) {
          case "submitted" ->
              "[floe] sent to the distributed engine as query "
                  + event.path("query_id").asText()
                  + "\n";
          case "finished" ->
              "[floe] the distributed query finished: " + event.path("rows").asLong() + " rows\n";
          default -> null;
        };
    if (line != null) {
      byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
      control.log().write(bytes, 0, bytes.length);
    }
  }
}

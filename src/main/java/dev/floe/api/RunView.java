package dev.floe.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.floe.error.Diagnostics;
import dev.floe.error.ErrorCode;
import dev.floe.error.FloeException;
import dev.floe.runs.RunRecord;
import dev.floe.runs.RunStatus;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.time.Instant;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** (extension) One run as clients see it: status, timings, outcome, and where to go next. */
@Schema(name = "Run")
@JsonInclude(JsonInclude.Include.ALWAYS)
@RegisterForReflection
public record RunView(
    @Schema(required = true) @JsonProperty("run_id") String runId,
    @Schema(
            required = true,
            enumeration = {"queued", "running", "succeeded", "failed", "cancelled"})
        RunStatus status,
    @Schema(required = true, examples = "query") String mode,
    @Schema(nullable = true, description = "the catalog asked for; null for the default")
        String catalog,
    @Schema(nullable = true, description = "where the result is saved") String destination,
    @Schema(required = true, description = "who asked for the run", examples = "alice")
        String principal,
    @Schema(required = true, examples = "2026-11-25T10:00:00.123Z") @JsonProperty("created_at")
        String createdAt,
    @Schema(nullable = true) @JsonProperty("started_at") String startedAt,
    @Schema(nullable = true) @JsonProperty("finished_at") String finishedAt,
    @Schema(nullable = true) @JsonProperty("elapsed_ms") Long elapsedMs,
    @Schema(nullable = true) @JsonProperty("row_count") Long rowCount,
    @Schema(nullable = true) PolarsResponse.Saved saved,
    @Schema(nullable = true) RunError error,
    @Schema(required = true, description = "its result can still be read")
        @JsonProperty("result_available")
        boolean resultAvailable,
    @Schema(required = true) Links links,
    @Schema(nullable = true, description = "where its time went (a run that succeeded)")
        PolarsResponse.Timing timing,
    @Schema(
            nullable = true,
            description = "where it executed: locally or distributed (a run that succeeded)")
        PolarsResponse.Compute compute,
    @Schema(
            nullable = true,
            description =
                "the W3C trace id (32 hex digits) of the run's trace: its spans, and the request"
                    + " that asked for it",
            examples = "4bf92f3577b34da6a3ce929d0e0e4736")
        @JsonProperty("trace_id")
        String traceId,
    @Schema(
            nullable = true,
            description =
                "a profiled run's plan nodes with their time and rows (GET of one run; absent"
                    + " otherwise)")
        @JsonInclude(JsonInclude.Include.NON_NULL)
        PolarsResponse.Profile profile) {

  /** Why a run failed or was cancelled. */
  @Schema(name = "RunError")
  @RegisterForReflection
  public record RunError(
      @Schema(required = true) @JsonProperty("error_code") ErrorCode errorCode,
      @Schema(required = true) String error,
      @Schema(nullable = true) String details,
      @Schema(nullable = true) Diagnostics diagnostics) {}

  /** Where the run's parts are. */
  @Schema(name = "RunLinks")
  @RegisterForReflection
  public record Links(
      @Schema(required = true) String self,
      @Schema(required = true) String result,
      @Schema(required = true) String logs) {}

  /** A page of runs. */
  @Schema(name = "RunList")
  @RegisterForReflection
  public record Page(@Schema(required = true) List<RunView> runs) {}

  /** A slice of a run's logs. */
  @Schema(name = "RunLogs")
  @RegisterForReflection
  public record Logs(
      @Schema(required = true) @JsonProperty("run_id") String runId,
      @Schema(required = true) RunStatus status,
      @Schema(required = true, description = "output since the byte offset asked for") String logs,
      @Schema(required = true, description = "the offset to ask from next (after=)") long next,
      @Schema(required = true, description = "the run ended: no more output will come")
          boolean complete) {}

  static final String BASE = "/api/v1/warehouse/polars/runs/";

  static RunView of(RunRecord run) {
    return of(run, null);
  }

  /** With the run's profile: the view of one run. */
  static RunView of(RunRecord run, PolarsResponse.Profile profile) {
    FloeException e = run.error();
    String self = BASE + run.runId();
    return new RunView(
        run.runId(),
        run.status(),
        run.mode(),
        run.catalog(),
        run.destination(),
        run.principal(),
        iso(run.createdAt()),
        iso(run.startedAt()),
        iso(run.finishedAt()),
        run.elapsedMs(),
        run.rowCount(),
        RunResults.saved(run.saved()),
        e == null ? null : new RunError(e.code(), e.getMessage(), e.details(), e.diagnostics()),
        run.status() == RunStatus.SUCCEEDED && (run.resultFile() != null || run.plan() != null),
        new Links(self, self + "/result", self + "/logs"),
        PolarsResponse.Timing.of(run),
        run.compute() == null ? null : PolarsResponse.Compute.of(run.compute()),
        run.asked().traceId(),
        profile);
  }

  private static String iso(Instant at) {
    return at == null ? null : at.toString();
  }
}

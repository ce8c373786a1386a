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
import java.util.Map;
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
        PolarsResponse.Profile profile,
    @Schema(
            nullable = true,
            description =
                "what the run was asked to run (GET of one run; absent otherwise, and for runs"
                    + " recorded before it was kept)")
        @JsonInclude(JsonInclude.Include.NON_NULL)
        Request request) {

  /** What a run was asked to run: its query or script, bindings and params. */
  @Schema(name = "RunRequest")
  @RegisterForReflection
  public record Request(
      @Schema(nullable = true, description = "the query (mode query)")
          @JsonInclude(JsonInclude.Include.NON_NULL)
          String query,
      @Schema(nullable = true, description = "the script (mode script)")
          @JsonInclude(JsonInclude.Include.NON_NULL)
          String script,
      @Schema(required = true, description = "the bindings, alias=namespace.table[@snapshot]")
          List<String> tables,
      @Schema(nullable = true, description = "the script's params") Map<String, Object> params) {

    static Request of(RunRecord run) {
      RunRecord.Request asked = run.asked().request();
      if (asked == null) {
        return null;
      }
      boolean query = "query".equals(run.mode());
      return new Request(
          query ? asked.source() : null,
          query ? null : asked.source(),
          asked.tables(),
          asked.params() == null || asked.params().isEmpty() ? null : asked.params());
    }
  }

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
    return of(run, null, null);
  }

  /** The view of one run: with its profile and its request. */
  static RunView one(RunRecord run, PolarsResponse.Profile profile) {
    return of(run, profile, Request.of(run));
  }

  private static RunView of(RunRecord run, PolarsResponse.Profile profile, Request request) {
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
        profile,
        request);
  }

  private static String iso(Instant at) {
    return at == null ? null : at.toString();
  }
}

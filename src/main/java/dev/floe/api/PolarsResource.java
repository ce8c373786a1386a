package dev.floe.api;

import dev.floe.catalog.SaveOutcome;
import dev.floe.error.ErrorCode;
import dev.floe.error.FloeException;
import dev.floe.results.ArrowJsonRenderer;
import dev.floe.results.TabularResult;
import dev.floe.workload.CompletedRun;
import dev.floe.workload.Workload;
import dev.floe.workload.WorkloadService;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The workload endpoint: parse, validate, delegate, render. */
@Path("/api/v1/warehouse/polars")
@Tag(name = "workloads")
public class PolarsResource {
  private final RequestMapper requests;
  private final WorkloadService workloads;

  public PolarsResource(RequestMapper requests, WorkloadService workloads) {
    this.requests = requests;
    this.workloads = workloads;
  }

  private static PolarsResponse.Saved saved(SaveOutcome saved) {
    return saved == null
        ? null
        : new PolarsResponse.Saved(
            saved.table().toString(), saved.rowsWritten(), saved.mode(), saved.snapshotId());
  }

  @POST
  @Blocking
  @Consumes(MediaType.APPLICATION_JSON)
  @Produces({MediaType.APPLICATION_JSON, "application/problem+json"})
  @Operation(
      operationId = "runPolars",
      summary = "Run a Polars SQL query or Python script against the lake")
  @APIResponse(
      responseCode = "200",
      description = "the result",
      content = @Content(schema = @Schema(implementation = PolarsResponse.class)))
  @APIResponse(responseCode = "400", ref = "#/components/responses/BadRequest")
  @APIResponse(responseCode = "404", ref = "#/components/responses/NotFound")
  @APIResponse(responseCode = "413", ref = "#/components/responses/TooLarge")
  @APIResponse(responseCode = "422", ref = "#/components/responses/Unprocessable")
  @APIResponse(responseCode = "500", ref = "#/components/responses/Internal")
  @APIResponse(responseCode = "503", ref = "#/components/responses/Unavailable")
  @APIResponse(responseCode = "504", ref = "#/components/responses/Timeout")
  public PolarsResponse run(PolarsRequest request) throws InterruptedException {
    String runId = "r-" + UUID.randomUUID();
    try {
      Workload workload = requests.toWorkload(request, "anonymous");
      if (workload.dryRun()) {
        throw FloeException.invalid(
            "Cannot plan without running: dryRun is not available on this server yet; remove"
                + " dryRun.");
      }
      try (CompletedRun run = workloads.execute(workload, runId)) {
        long bytes = run.resultBytes();
        // A saved result has landed already: its inline rows are capped by maxRows, never refused.
        if (run.saved() == null && bytes > workload.limits().maxResultBytes()) {
          throw new FloeException(
              ErrorCode.LIMIT_EXCEEDED,
              "The result is "
                  + bytes
                  + " bytes, above this request's limit of "
                  + workload.limits().maxResultBytes()
                  + " bytes for a JSON response; aggregate it, save it with destination, or ask"
                  + " for Arrow (Accept: application/vnd.apache.arrow.stream).");
        }
        TabularResult table;
        try (InputStream in = run.openResult()) {
          table = ArrowJsonRenderer.render(in, workload.limits().maxRows());
        }
        return new PolarsResponse(
            true,
            new PolarsResponse.Results(table.columns(), table.columnTypes(), table.rows()),
            table.rowCount(),
            run.elapsed().toMillis() + "ms",
            null,
            saved(run.saved()),
            new PolarsResponse.Compute("local", false, null, null),
            run.logs(),
            table.truncated(),
            runId);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    } catch (FloeException e) {
      throw e.inRun(runId);
    }
  }
}

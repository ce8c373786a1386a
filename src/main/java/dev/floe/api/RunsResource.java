package dev.floe.api;

import dev.floe.error.FloeException;
import dev.floe.runs.Replica;
import dev.floe.runs.RunLifecycle;
import dev.floe.runs.RunLogs;
import dev.floe.runs.RunRecord;
import dev.floe.runs.RunStatus;
import dev.floe.runs.Submission;
import dev.floe.runs.Ticket;
import dev.floe.workload.Workload;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** (extension) Runs: list, follow, read the result and logs of, and cancel. */
@Path("/api/v1/warehouse/polars/runs")
@Tag(name = "runs")
@Produces({MediaType.APPLICATION_JSON, "application/problem+json"})
public class RunsResource {
  private static final int MAX_LISTED = 1000;
  private static final String RUNS = "/api/v1/warehouse/polars/runs/";

  private final Admission admission;
  private final RunLifecycle runs;
  private final RunLogs logs;
  private final RunResults results;
  private final ReplicaForwarding replicas;
  private final CurrentRequest current;

  public RunsResource(
      Admission admission,
      RunLifecycle runs,
      RunLogs logs,
      RunResults results,
      ReplicaForwarding replicas,
      CurrentRequest current) {
    this.admission = admission;
    this.runs = runs;
    this.logs = logs;
    this.results = results;
    this.replicas = replicas;
    this.current = current;
  }

  @POST
  @Blocking
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(
      operationId = "submitPolarsRun",
      summary = "(extension) Accept a run and answer at once; follow it under /runs/{id}")
  @APIResponse(
      responseCode = "202",
      description = "accepted",
      headers =
          @Header(
              name = "Location",
              description = "the run",
              schema = @Schema(type = SchemaType.STRING)),
      content = @Content(schema = @Schema(implementation = RunView.class)))
  @APIResponse(
      responseCode = "200",
      description = "the first run of this Idempotency-Key",
      content = @Content(schema = @Schema(implementation = RunView.class)))
  @APIResponse(responseCode = "400", ref = "#/components/responses/BadRequest")
  @APIResponse(responseCode = "404", ref = "#/components/responses/NotFound")
  @APIResponse(responseCode = "422", ref = "#/components/responses/Unprocessable")
  @APIResponse(responseCode = "429", ref = "#/components/responses/Busy")
  @APIResponse(responseCode = "500", ref = "#/components/responses/Internal")
  @APIResponse(responseCode = "503", ref = "#/components/responses/Unavailable")
  public Response submit(
      PolarsRequest request,
      @Parameter(description = "(extension) the same key with the same body returns the first run")
          @HeaderParam(PolarsResource.IDEMPOTENCY_KEY)
          String idempotencyKey) {
    Workload workload = admission.admit(request);
    Ticket ticket =
        runs.submit(
            new Submission(
                workload, idempotencyKey, PolarsResource.bodyHash(request), false, true, null));
    current.running(workload, ticket.runId());
    RunView view = RunView.of(runs.get(ticket.runId()));
    return Response.status(ticket.replay() ? 200 : 202)
        .header("Location", view.links().self())
        .type(MediaType.APPLICATION_JSON_TYPE)
        .entity(view)
        .build();
  }

  @GET
  @Blocking
  @Operation(operationId = "listRuns", summary = "Recent runs, newest first")
  @APIResponse(
      responseCode = "200",
      description = "the runs",
      content = @Content(schema = @Schema(implementation = RunView.Page.class)))
  @APIResponse(responseCode = "400", ref = "#/components/responses/BadRequest")
  public RunView.Page list(
      @Parameter(description = "only runs with this status") @QueryParam("status") String status,
      @Parameter(
              description = "at most this many (1–1000)",
              schema = @Schema(type = SchemaType.INTEGER, defaultValue = "50"))
          @QueryParam("limit")
          @DefaultValue("50")
          String limitParam) {
    int limit = QueryParams.limit(limitParam, MAX_LISTED);
    RunStatus wanted = null;
    if (status != null && !status.isBlank()) {
      wanted = RunStatus.parse(status);
      if (wanted == null) {
        throw FloeException.invalid(
            "Unknown status '"
                + status
                + "'; use one of "
                + Arrays.stream(RunStatus.values())
                    .map(RunStatus::wire)
                    .collect(Collectors.joining(", "))
                + ".");
      }
    }
    return new RunView.Page(
        runs.list(wanted, limit, current.caller()).stream().map(RunView::of).toList());
  }

  @GET
  @Path("/{id}")
  @Blocking
  @Operation(operationId = "getRun", summary = "One run: status, timings, outcome")
  @APIResponse(
      responseCode = "200",
      description = "the run",
      content = @Content(schema = @Schema(implementation = RunView.class)))
  @APIResponse(responseCode = "404", ref = "#/components/responses/NotFound")
  public RunView get(@PathParam("id") String id) {
    RunRecord run = runs.get(id, current.caller());
    return RunView.one(run, results.profile(run));
  }

  @GET
  @Path("/{id}/result")
  @Blocking
  @Produces({MediaType.APPLICATION_JSON, "application/problem+json", RunResults.ARROW})
  @Operation(
      operationId = "getRunResult",
      summary = "The run's result once it ended: JSON, or Arrow with Accept: " + RunResults.ARROW,
      description = "Waits for a run that has not ended. A failed run answers its error.")
  // The errors a run may end in are added by OpenApiErrors, as for every answer of a result.
  @APIResponse(
      responseCode = "200",
      description = "the result",
      ref = "#/components/responses/Result")
  @APIResponse(responseCode = "410", ref = "#/components/responses/Gone")
  public Response result(@PathParam("id") String id, @Context HttpHeaders headers)
      throws InterruptedException {
    runs.get(id, current.caller()); // 404 before waiting
    RunRecord end = runs.awaitEnd(id);
    Optional<Response> there = replicas.resultElsewhere(end, headers);
    if (there.isPresent()) {
      return there.get();
    }
    if (PolarsResource.wantsArrow(headers)) {
      return results.arrowFile(end, () -> {});
    }
    return Response.ok(results.json(end), MediaType.APPLICATION_JSON_TYPE).build();
  }

  @GET
  @Path("/{id}/logs")
  @Blocking
  @Operation(
      operationId = "getRunLogs",
      summary = "The run's output so far; poll with after=<next> until complete")
  @APIResponse(
      responseCode = "200",
      description = "output since the offset",
      content = @Content(schema = @Schema(implementation = RunView.Logs.class)))
  @APIResponse(responseCode = "400", ref = "#/components/responses/BadRequest")
  @APIResponse(responseCode = "404", ref = "#/components/responses/NotFound")
  public Response logs(
      @PathParam("id") String id,
      @Parameter(
              description = "byte offset to start from (the previous answer's next)",
              schema = @Schema(type = SchemaType.INTEGER, format = "int64", defaultValue = "0"))
          @QueryParam("after")
          @DefaultValue("0")
          String afterParam,
      @Context HttpHeaders headers) {
    long after = QueryParams.number(afterParam, "after");
    RunRecord run = runs.get(id, current.caller());
    Optional<Replica> there = replicas.inFlightElsewhere(run, headers);
    if (there.isPresent()) {
      return replicas.forward(there.get(), "GET", RUNS + id + "/logs?after=" + after, headers);
    }
    RunLogs.LogsView view = logs.logs(id, after);
    return Response.ok(
            new RunView.Logs(
                id, view.run().status(), view.slice().text(), view.slice().next(), view.complete()),
            MediaType.APPLICATION_JSON_TYPE)
        .build();
  }

  @DELETE
  @Path("/{id}")
  @Blocking
  @Operation(
      operationId = "cancelRun",
      summary = "Cancel: the sandbox is killed, nothing is committed")
  @APIResponse(
      responseCode = "200",
      description = "the cancelled run",
      content = @Content(schema = @Schema(implementation = RunView.class)))
  @APIResponse(responseCode = "404", ref = "#/components/responses/NotFound")
  @APIResponse(responseCode = "409", ref = "#/components/responses/Conflict")
  public Response cancel(@PathParam("id") String id, @Context HttpHeaders headers)
      throws InterruptedException {
    Optional<Replica> there = replicas.inFlightElsewhere(runs.get(id, current.caller()), headers);
    if (there.isPresent()) {
      return replicas.forward(there.get(), "DELETE", RUNS + id, headers);
    }
    return Response.ok(
            RunView.of(runs.cancel(id, current.caller())), MediaType.APPLICATION_JSON_TYPE)
        .build();
  }
}

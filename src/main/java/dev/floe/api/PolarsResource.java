package dev.floe.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.floe.auth.AuditTrail;
import dev.floe.error.ErrorCode;
import dev.floe.error.FloeException;
import dev.floe.runs.ResultRetention;
import dev.floe.runs.RunLifecycle;
import dev.floe.runs.RunRecord;
import dev.floe.runs.RunSlots;
import dev.floe.runs.Submission;
import dev.floe.runs.Ticket;
import dev.floe.workload.Workload;
import io.smallrye.common.annotation.Blocking;
import io.vertx.core.http.HttpServerResponse;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The workload endpoints: run now and answer (JSON or Arrow), or accept a run for later. */
@Path("/api/v1/warehouse/polars")
@Tag(name = "workloads")
public class PolarsResource {
  static final String IDEMPOTENCY_KEY = "Idempotency-Key";
  private static final ObjectMapper CANONICAL =
      JsonMapper.builder()
          .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
          .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
          .build();

  private final Admission admission;
  private final RunLifecycle runs;
  private final ResultRetention retention;
  private final RunResults results;
  private final ReplicaForwarding replicas;
  private final CurrentRequest current;

  public PolarsResource(
      Admission admission,
      RunLifecycle runs,
      ResultRetention retention,
      RunResults results,
      ReplicaForwarding replicas,
      CurrentRequest current) {
    this.admission = admission;
    this.runs = runs;
    this.retention = retention;
    this.results = results;
    this.replicas = replicas;
    this.current = current;
  }

  @POST
  @Blocking
  @Consumes(MediaType.APPLICATION_JSON)
  @Produces({MediaType.APPLICATION_JSON, "application/problem+json", RunResults.ARROW})
  @Operation(
      operationId = "runPolars",
      summary = "Run a Polars SQL query or Python script against the lake",
      description =
          "Answers JSON by default; with Accept: application/vnd.apache.arrow.stream, the whole"
              + " result as an Arrow IPC stream while it is produced.")
  // The errors a run may end in are added by OpenApiErrors, as for every answer of a result.
  @APIResponse(
      responseCode = "200",
      description = "the result",
      ref = "#/components/responses/Result")
  @APIResponse(responseCode = "429", ref = "#/components/responses/Busy")
  public Response run(
      PolarsRequest request,
      @Parameter(description = "(extension) the same key with the same body returns the first run")
          @HeaderParam(IDEMPOTENCY_KEY)
          String idempotencyKey,
      @Context HttpHeaders headers,
      @Context HttpServerResponse connection)
      throws InterruptedException, IOException {
    Workload workload = admission.admit(request);
    boolean arrow = wantsArrow(headers);
    boolean keep = idempotencyKey != null;
    boolean streamed = arrow && !keep && workload.destination() == null && !workload.dryRun();
    Instant deadline = Instant.now().plus(workload.limits().timeout());
    Ticket ticket =
        runs.submit(
            new Submission(workload, idempotencyKey, bodyHash(request), streamed, keep, deadline));
    String runId = ticket.runId();
    current.running(workload, runId);
    if (!ticket.replay() && idempotencyKey == null) {
      // Only a run this request owns alone: a keyed run belongs to every retry of its key.
      connection.closeHandler(gone -> runs.abandon(runId));
    }
    if (streamed) {
      return results.arrowPipe(runId);
    }
    // A retry waits for the first run as it is; only a run this request started is taken out of
    // the queue at this request's deadline.
    RunRecord end =
        ticket.replay()
            ? runs.awaitEnd(runId)
            : awaitWithin(runId, deadline, workload.limits().timeout());
    Runnable afterwards = keep ? () -> {} : () -> retention.discardResult(runId);
    if (ticket.replay()) {
      Optional<Response> there = replicas.resultElsewhere(end, headers);
      if (there.isPresent()) {
        return there.get(); // the first run's replica keeps its result
      }
    }
    if (arrow) {
      return results.arrowFile(end, afterwards);
    }
    try {
      return Response.ok(results.json(end), MediaType.APPLICATION_JSON_TYPE).build();
    } finally {
      afterwards.run();
    }
  }

  /**
   * Waits for the run; if it is still queued at its caller's deadline, it is taken out of the queue
   * and the caller gets TIMEOUT. Once running, the run's own time limit ends it.
   */
  private RunRecord awaitWithin(String runId, Instant deadline, Duration timeout)
      throws InterruptedException {
    Duration left = Duration.between(Instant.now(), deadline).plusSeconds(1);
    RunRecord end = runs.await(runId, left.isNegative() ? Duration.ZERO : left);
    if (end == null) {
      runs.expireQueued(runId, RunSlots.queueTimeout(timeout));
    }
    return end != null ? end : runs.awaitEnd(runId);
  }

  static boolean wantsArrow(HttpHeaders headers) {
    for (MediaType type : headers.getAcceptableMediaTypes()) {
      if (type.isWildcardType()) {
        return false;
      }
      if (type.isCompatible(RunResults.ARROW_TYPE)) {
        return true;
      }
      if (type.isCompatible(MediaType.APPLICATION_JSON_TYPE)
          || type.isCompatible(ErrorMappers.PROBLEM)) {
        return false;
      }
    }
    return false;
  }

  /** What an Idempotency-Key is bound to: the request as parsed, in a canonical form. */
  static String bodyHash(PolarsRequest request) {
    try {
      return AuditTrail.sha256(CANONICAL.writeValueAsString(request));
    } catch (JsonProcessingException e) {
      throw new FloeException(ErrorCode.INTERNAL, "Cannot fingerprint the request.");
    }
  }
}

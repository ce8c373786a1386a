package dev.floe.api;

import dev.floe.config.ReplicaConfig;
import dev.floe.error.ErrorCode;
import dev.floe.error.TryLaterException;
import dev.floe.runs.Replica;
import dev.floe.runs.RunLifecycle;
import dev.floe.runs.RunRecord;
import dev.floe.runs.RunStatus;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Several replicas on one run store: a run lives on the replica that accepted it. Its record is in
 * the store, which every replica reads; its live output and its cancel lever are in that replica's
 * memory, and its kept result in that replica's {@code floe.home}. A request for those that reaches
 * another replica is forwarded to the run's own, with the caller's credentials (which that replica
 * checks itself, against the same store) and a {@code Floe-Forwarded-By} header: a forwarded
 * request is answered where it lands, never forwarded again.
 *
 * <p>Forwarding rather than shared storage for results: a kept result is a file written once and
 * read a few times within {@code floe.runs.result-ttl}; a replica's own disk serves it at local
 * speed, and nothing else has to be provisioned. A result outlives its replica only if {@code
 * floe.home} survives the replica (a persistent volume): otherwise its record stays, and asking for
 * it answers RESULT_EXPIRED.
 */
@ApplicationScoped
public class ReplicaForwarding {
  private static final Logger LOG = Logger.getLogger(ReplicaForwarding.class);
  public static final String FORWARDED_BY = "Floe-Forwarded-By";

  /** Request headers passed on: who asks, and what they accept. */
  private static final List<String> PASSED = List.of(HttpHeaders.AUTHORIZATION, HttpHeaders.ACCEPT);

  /** Response headers passed back. */
  private static final List<String> RETURNED =
      List.of(HttpHeaders.CONTENT_TYPE, "Retry-After", HttpHeaders.LOCATION);

  private final RunLifecycle runs;
  private final Duration lease;
  private final String self;
  private final HttpClient http =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(5))
          .followRedirects(HttpClient.Redirect.NEVER)
          .build();

  public ReplicaForwarding(RunLifecycle runs, Replica self, ReplicaConfig config) {
    this.runs = runs;
    this.lease = config.lease();
    this.self = self.id();
  }

  /**
   * The replica to ask instead about run {@code run}, one still in flight there; empty when this
   * replica answers (the run is here, it ended, or the request was forwarded here already).
   */
  Optional<Replica> inFlightElsewhere(RunRecord run, HttpHeaders headers) {
    if (run.status().isFinal() || forwarded(headers)) {
      return Optional.empty();
    }
    return runs.heldElsewhere(run.runId());
  }

  /**
   * The answer of the replica that keeps {@code end}'s result, when that is another one (the file
   * is not on this replica's disk); empty when this replica answers.
   */
  Optional<Response> resultElsewhere(RunRecord end, HttpHeaders headers) {
    if (end.status() != RunStatus.SUCCEEDED
        || end.resultFile() == null
        || forwarded(headers)
        || Files.exists(Path.of(end.resultFile()))) {
      return Optional.empty();
    }
    return runs.heldElsewhere(end.runId())
        .map(
            owner ->
                forward(
                    owner,
                    "GET",
                    "/api/v1/warehouse/polars/runs/" + end.runId() + "/result",
                    headers));
  }

  private static boolean forwarded(HttpHeaders headers) {
    return headers.getHeaderString(FORWARDED_BY) != null;
  }

  /** Asks {@code to} the same question ({@code method} on {@code path}), and answers its answer. */
  Response forward(Replica to, String method, String path, HttpHeaders headers) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(to.address() + path))
            .timeout(Duration.ofMinutes(2))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .header(FORWARDED_BY, self);
    for (String name : PASSED) {
      String value = headers.getHeaderString(name);
      if (value != null) {
        request.header(name, value);
      }
    }
    HttpResponse<InputStream> answer;
    try {
      answer = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    } catch (IOException e) {
      LOG.warnf(
          "Replica %s at %s did not answer %s %s: %s", to.id(), to.address(), method, path, e);
      throw unreachable(to);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw unreachable(to);
    }
    Response.ResponseBuilder out = Response.status(answer.statusCode());
    for (String name : RETURNED) {
      answer.headers().firstValue(name).ifPresent(value -> out.header(name, value));
    }
    InputStream body = answer.body();
    StreamingOutput stream =
        sink -> {
          try (body) {
            body.transferTo(sink);
          }
        };
    return out.entity(stream).build();
  }

  private TryLaterException unreachable(Replica to) {
    long seconds = Math.max(1, lease.toSeconds());
    return new TryLaterException(
        ErrorCode.BUSY,
        "The run is on replica "
            + to.id()
            + ", which did not answer; try again in about "
            + seconds
            + " s (Retry-After): if that replica is gone, the run will read failed by then.",
        seconds);
  }
}

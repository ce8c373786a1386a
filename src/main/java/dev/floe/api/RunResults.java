package dev.floe.api;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.floe.catalog.SaveOutcome;
import dev.floe.error.ErrorCode;
import dev.floe.error.FloeException;
import dev.floe.observe.RunMetrics;
import dev.floe.results.ArrowJsonRenderer;
import dev.floe.results.ArrowStreams;
import dev.floe.results.TabularResult;
import dev.floe.runs.RunLifecycle;
import dev.floe.runs.RunRecord;
import dev.floe.runs.RunStatus;
import dev.floe.workload.ResultPipe;
import dev.floe.workload.RunControl;
import dev.floe.workload.RunFailedException;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;

/** Turns a run's outcome into what the client asked for: JSON, an Arrow stream, or its error. */
@ApplicationScoped
public class RunResults {
  private static final org.jboss.logging.Logger LOG =
      org.jboss.logging.Logger.getLogger(RunResults.class);
  public static final String ARROW = "application/vnd.apache.arrow.stream";
  public static final MediaType ARROW_TYPE = MediaType.valueOf(ARROW);
  private static final int CHUNK = 256 * 1024;

  private final RunLifecycle runs;
  private final ObjectMapper json;
  private final DryRunAnswer dryRuns;
  private final ObjectReader profiles;
  private final RunMetrics metrics;
  private final Tracer tracer;

  public RunResults(RunLifecycle runs, ObjectMapper json, RunMetrics metrics, Tracer tracer) {
    this.runs = runs;
    this.json = json;
    this.metrics = metrics;
    this.tracer = tracer;
    this.dryRuns = new DryRunAnswer(json);
    this.profiles =
        json.readerFor(PolarsResponse.Profile.class)
            .without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
  }

  static PolarsResponse.Saved saved(SaveOutcome saved) {
    return saved == null
        ? null
        : new PolarsResponse.Saved(
            saved.table().toString(), saved.rowsWritten(), saved.mode(), saved.snapshotId());
  }

  /** The failure of a run that did not succeed, as the exception the error mappers render. */
  static FloeException failure(RunRecord end) {
    FloeException error =
        end.error() != null
            ? end.error()
            : new FloeException(ErrorCode.INTERNAL, "Run " + end.runId() + " failed.");
    String logs = end.logs() == null || end.logs().total() == 0 ? null : end.logs().text();
    return new RunFailedException(error, logs).inRun(end.runId());
  }

  /** The synchronous endpoint's JSON answer for a finished run (a span {@code floe.result}). */
  PolarsResponse json(RunRecord end) {
    Span span = resultSpan(Context.current(), end.runId(), "json");
    try (Scope scope = span.makeCurrent()) {
      return renderJson(end);
    } finally {
      span.end();
    }
  }

  /** The result's span: rendering it as JSON, or sending it as Arrow as the client reads it. */
  private Span resultSpan(Context parent, String runId, String format) {
    return tracer
        .spanBuilder("floe.result")
        .setParent(parent)
        .setAttribute("floe.run_id", runId)
        .setAttribute("floe.format", format)
        .startSpan();
  }

  private PolarsResponse renderJson(RunRecord end) {
    if (end.status() != RunStatus.SUCCEEDED) {
      throw failure(end);
    }
    String logs = end.logs() == null ? "" : end.logs().text();
    String time = (end.elapsedMs() == null ? 0 : end.elapsedMs()) + "ms";
    PolarsResponse.Compute compute = PolarsResponse.Compute.of(end.compute());
    if (end.plan() != null) {
      return new PolarsResponse(
          true,
          null,
          0,
          time,
          null,
          null,
          compute,
          logs,
          false,
          end.runId(),
          dryRuns.answer(end),
          PolarsResponse.Timing.of(end),
          profile(end));
    }
    Path file = keptResult(end);
    TabularResult table;
    try {
      long bytes = Files.size(file);
      // A saved result has landed already: its inline rows are capped by maxRows, never refused.
      if (end.saved() == null && bytes > end.maxResultBytes()) {
        throw new FloeException(
                ErrorCode.LIMIT_EXCEEDED,
                "The result is "
                    + bytes
                    + " bytes, above this request's limit of "
                    + end.maxResultBytes()
                    + " bytes for a JSON response; aggregate it, save it with destination, or ask"
                    + " for Arrow (Accept: "
                    + ARROW
                    + ").")
            .inRun(end.runId());
      }
      try (InputStream in = Files.newInputStream(file)) {
        table = ArrowJsonRenderer.render(in, end.maxRows(), bytes, json);
      } catch (IOException | RuntimeException invalid) {
        if (invalid instanceof FloeException || invalid instanceof NoSuchFileException) {
          throw invalid;
        }
        throw new FloeException(
                ErrorCode.RESULT_WRONG_TYPE,
                "Run "
                    + end.runId()
                    + " produced a result that is not a valid Arrow stream ("
                    + invalid.getMessage()
                    + "); assign `result` a polars LazyFrame or DataFrame and leave the run's"
                    + " output files to Floe.")
            .inRun(end.runId());
      }
    } catch (NoSuchFileException gone) {
      throw expired(end);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new PolarsResponse(
        true,
        new PolarsResponse.Results(table.columns(), table.columnTypes(), table.rows()),
        table.rowCount(),
        time,
        null,
        saved(end.saved()),
        compute,
        logs,
        table.truncated(),
        end.runId(),
        null,
        PolarsResponse.Timing.of(end),
        profile(end));
  }

  /** A finished run's kept result as an Arrow stream, read from its file in bounded chunks. */
  Response arrowFile(RunRecord end, Runnable afterwards) {
    if (end.status() != RunStatus.SUCCEEDED) {
      throw failure(end);
    }
    if (end.plan() != null) {
      throw FloeException.invalid(
          "Run " + end.runId() + " was a dry run and has no result rows; ask for JSON.");
    }
    Path file = keptResult(end);
    InputStream in;
    try {
      in = Files.newInputStream(file);
    } catch (NoSuchFileException gone) {
      throw expired(end);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    StreamingOutput body =
        out -> {
          try (in) {
            in.transferTo(out);
          } finally {
            afterwards.run();
          }
        };
    return arrow(body, end.runId());
  }

  /**
   * Streams a run's result from its pipe while the run produces it. Failures before the first byte
   * are thrown (so the client gets the JSON error envelope); after it, the stream is cut off before
   * its end-of-stream marker, which a client can never take for a whole result.
   */
  Response arrowPipe(String runId) throws InterruptedException, IOException {
    RunControl control = runs.control(runId).orElse(null);
    ResultPipe pipe = control == null ? null : control.pipe();
    InputStream in = pipe == null ? null : pipe.open(runs.ended(runId));
    if (in == null) {
      throw failureOrBug(runs.await(runId, Duration.ofMinutes(1)), runId);
    }
    byte[] first = new byte[CHUNK];
    int n = in.read(first);
    if (n < 0) {
      in.close();
      throw failureOrBug(runs.await(runId, Duration.ofMinutes(1)), runId);
    }
    int firstLength = n;
    StreamingOutput body =
        out -> {
          ArrowStreams.HoldBack stream = new ArrowStreams.HoldBack(out);
          try (in) {
            stream.write(first, 0, firstLength);
            byte[] chunk = new byte[CHUNK];
            int read;
            while ((read = in.read(chunk)) >= 0) {
              stream.write(chunk, 0, read);
            }
            RunRecord end = runs.await(runId, Duration.ofMinutes(1));
            if (end == null || end.status() != RunStatus.SUCCEEDED || !stream.heldIsEndMarker()) {
              throw new IOException(
                  "run "
                      + runId
                      + " failed while streaming its result"
                      + (end == null || end.error() == null
                          ? ""
                          : ": " + end.error().getMessage()));
            }
            stream.finish();
          } catch (IOException e) {
            runs.abandon(runId);
            throw e;
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            runs.abandon(runId);
            throw new IOException("interrupted while streaming run " + runId, e);
          }
        };
    return arrow(body, runId);
  }

  private Response arrow(StreamingOutput body, String runId) {
    Context request = Context.current();
    StreamingOutput counted =
        out -> {
          Counting counting = new Counting(out);
          Span span = resultSpan(request, runId, "arrow");
          try (Scope scope = span.makeCurrent()) {
            body.write(counting);
          } finally {
            metrics.arrowBytes(counting.bytes);
            span.setAttribute("floe.result_bytes", counting.bytes);
            span.end();
          }
        };
    return Response.ok(counted, ARROW_TYPE).header("X-Floe-Run-Id", runId).build();
  }

  /** Counts the bytes of a response body as they go. */
  private static final class Counting extends java.io.FilterOutputStream {
    private long bytes;

    Counting(java.io.OutputStream out) {
      super(out);
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      bytes++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      bytes += len;
    }
  }

  private static FloeException failureOrBug(RunRecord end, String runId) {
    if (end != null && end.status() != RunStatus.SUCCEEDED) {
      return failure(end);
    }
    return new FloeException(
            ErrorCode.INTERNAL,
            "Run "
                + runId
                + " ended without streaming a result; report the run id to the operator.")
        .inRun(runId);
  }

  private static Path keptResult(RunRecord end) {
    if (end.resultFile() == null) {
      throw expired(end);
    }
    return Path.of(end.resultFile());
  }

  private static FloeException expired(RunRecord end) {
    return new FloeException(
            ErrorCode.RESULT_EXPIRED,
            "The result of run "
                + end.runId()
                + " is no longer kept (results are kept for a limited time, and a synchronous"
                + " run's result only for its own response); run the workload again.")
        .inRun(end.runId());
  }

  /** A profiled run's profile (untrusted: the run's own account; only typed fields are read). */
  PolarsResponse.Profile profile(RunRecord end) {
    if (end.profile() == null) {
      return null;
    }
    try {
      return profiles.readValue(end.profile());
    } catch (IOException | RuntimeException e) {
      LOG.warnf("run %s: its profile is unreadable: %s", end.runId(), e.getMessage());
      return null;
    }
  }
}

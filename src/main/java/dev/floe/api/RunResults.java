package dev.floe.api;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.floe.catalog.SaveOutcome;
import dev.floe.error.ErrorCode;
import dev.floe.error.FloeException;
import dev.floe.observe.RunMetrics;
import dev.floe.results.ArrowJsonRenderer;
import dev.floe.results.TabularResult;
import dev.floe.runs.RunLifecycle;
import dev.floe.runs.RunRecord;
import dev.floe.runs.RunStatus;
import dev.floe.workload.RunFailedException;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
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

  private final ObjectMapper json;
  private final DryRunAnswer dryRuns;
  private final ArrowAnswers arrows;
  private final ObjectReader profiles;
  private final Tracer tracer;
  private final RunMetrics metrics;

  public RunResults(RunLifecycle runs, ObjectMapper json, RunMetrics metrics, Tracer tracer) {
    this.json = json;
    this.tracer = tracer;
    this.metrics = metrics;
    this.dryRuns = new DryRunAnswer(json);
    this.arrows = new ArrowAnswers(runs, metrics, tracer);
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
    Span span = resultSpan(tracer, Context.current(), end.runId(), "json");
    long start = System.nanoTime();
    try (Scope scope = span.makeCurrent()) {
      PolarsResponse answer = renderJson(end);
      metrics.resultPhase(Duration.ofNanos(System.nanoTime() - start));
      return answer;
    } finally {
      span.end();
    }
  }

  /** The result's span: rendering it as JSON, or sending it as Arrow as the client reads it. */
  static Span resultSpan(Tracer tracer, Context parent, String runId, String format) {
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

  static Path keptResult(RunRecord end) {
    if (end.resultFile() == null) {
      throw expired(end);
    }
    return Path.of(end.resultFile());
  }

  static FloeException expired(RunRecord end) {
    return new FloeException(
            ErrorCode.RESULT_EXPIRED,
            "The result of run "
                + end.runId()
                + " is no longer kept (results are kept for a limited time, and a synchronous"
                + " run's result only for its own response); run the workload again.")
        .inRun(end.runId());
  }

  /** A finished run's kept result as an Arrow stream; {@code afterwards} runs once it is sent. */
  Response arrowFile(RunRecord end, Runnable afterwards) {
    return arrows.file(end, afterwards);
  }

  /** Streams a run's result from its pipe while the run produces it. */
  Response arrowPipe(String runId) throws InterruptedException, IOException {
    return arrows.pipe(runId);
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

package dev.floe.api;

import dev.floe.error.ErrorCode;
import dev.floe.error.FloeException;
import dev.floe.observe.RunMetrics;
import dev.floe.results.ArrowStreams;
import dev.floe.runs.RunLifecycle;
import dev.floe.runs.RunRecord;
import dev.floe.runs.RunStatus;
import dev.floe.workload.ResultPipe;
import dev.floe.workload.RunControl;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A run's result as an Arrow stream: a finished run's kept file, or a running run's pipe as it
 * produces it; every byte sent counted, in a span {@code floe.result}.
 */
final class ArrowAnswers {
  private static final int CHUNK = 256 * 1024;

  private final RunLifecycle runs;
  private final RunMetrics metrics;
  private final Tracer tracer;

  ArrowAnswers(RunLifecycle runs, RunMetrics metrics, Tracer tracer) {
    this.runs = runs;
    this.metrics = metrics;
    this.tracer = tracer;
  }

  /** A finished run's kept result as an Arrow stream, read from its file in bounded chunks. */
  Response file(RunRecord end, Runnable afterwards) {
    if (end.status() != RunStatus.SUCCEEDED) {
      throw RunResults.failure(end);
    }
    if (end.plan() != null) {
      throw FloeException.invalid(
          "Run " + end.runId() + " was a dry run and has no result rows; ask for JSON.");
    }
    Path file = RunResults.keptResult(end);
    InputStream in;
    try {
      in = Files.newInputStream(file);
    } catch (NoSuchFileException gone) {
      throw RunResults.expired(end);
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
  Response pipe(String runId) throws InterruptedException, IOException {
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
          ArrowStreams.RowTally rows = new ArrowStreams.RowTally();
          try (in) {
            stream.write(first, 0, firstLength);
            rows.accept(first, 0, firstLength);
            byte[] chunk = new byte[CHUNK];
            int read;
            while ((read = in.read(chunk)) >= 0) {
              stream.write(chunk, 0, read);
              rows.accept(chunk, 0, read);
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
            rows.rows().ifPresent(metrics::streamedRows);
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
          Span span = RunResults.resultSpan(tracer, request, runId, "arrow");
          long start = System.nanoTime();
          try (Scope scope = span.makeCurrent()) {
            body.write(counting);
            metrics.resultPhase(Duration.ofNanos(System.nanoTime() - start));
          } finally {
            metrics.arrowBytes(counting.bytes);
            span.setAttribute("floe.result_bytes", counting.bytes);
            span.end();
          }
        };
    return Response.ok(counted, RunResults.ARROW_TYPE).header("X-Floe-Run-Id", runId).build();
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
      return RunResults.failure(end);
    }
    return new FloeException(
            ErrorCode.INTERNAL,
            "Run "
                + runId
                + " ended without streaming a result; report the run id to the operator.")
        .inRun(runId);
  }
}

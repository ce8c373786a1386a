package dev.floe.observe;

import dev.floe.error.ErrorCode;
import dev.floe.runs.RunRecord;
import dev.floe.runs.RunSlots;
import dev.floe.runs.RunStatus;
import dev.floe.runs.RunWatch;
import dev.floe.sandbox.WarmPool;
import dev.floe.workload.RunTimings;
import dev.floe.workload.TableRead;
import dev.floe.workload.Workload;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Floe's own metrics, at {@code /q/metrics} (Prometheus): every run's end by mode, status and error
 * code; where runs' time went, per phase; the queue and the runners now; the warm pool; rows and
 * bytes returned; rows saved; sandboxes stopped, by why. The service's HTTP and JVM metrics come
 * from Quarkus beside them. Label values are bounded sets (modes, statuses, codes, phases): never a
 * run id, a table or a principal.
 */
@Singleton
@jakarta.enterprise.inject.Typed(RunMetrics.class)
public class RunMetrics implements RunWatch {
  /** Why a sandbox was stopped before its run ended by itself, from the run's error code. */
  private static final Map<ErrorCode, String> KILLS =
      Map.of(
          ErrorCode.TIMEOUT, "timeout",
          ErrorCode.OUT_OF_MEMORY, "out_of_memory",
          ErrorCode.RUN_CANCELLED, "cancelled");

  private final MeterRegistry registry;
  private final Counter rowsReturned;
  private final Counter rowsSaved;
  private final Counter arrowBytes;

  public RunMetrics(MeterRegistry registry, RunSlots slots, WarmPool pool) {
    this.registry = registry;
    this.rowsReturned =
        Counter.builder("floe.result.rows")
            .description("Rows of the results of runs that succeeded, streamed ones included")
            .register(registry);
    this.rowsSaved =
        Counter.builder("floe.save.rows")
            .description("Rows written to tables by runs' saves")
            .register(registry);
    this.arrowBytes =
        Counter.builder("floe.result.arrow.bytes")
            .description("Bytes of results sent as Arrow streams")
            .baseUnit("bytes")
            .register(registry);
    gauge("floe.runs.running", "Runs on a runner now", slots, s -> s.load().running());
    gauge("floe.runs.queued", "Runs waiting for a runner now", slots, s -> s.load().queued());
    gauge("floe.runs.slots", "Runs this replica runs at once", slots, s -> s.load().runners());
    gauge("floe.runners.ready", "Warm runners ready for a run", pool, p -> p.stats().ready());
    gauge(
        "floe.runners.starting", "Runners starting for the pool", pool, p -> p.stats().starting());
    gauge(
        "floe.runners.start.mean",
        "Mean time a runner took to start, in seconds",
        pool,
        p -> p.stats().meanStartMs() / 1000.0);
    FunctionCounter.builder("floe.runners.taken", pool, p -> p.stats().warm())
        .description("Runs that found a runner ready")
        .tag("start", "warm")
        .register(registry);
    FunctionCounter.builder("floe.runners.taken", pool, p -> p.stats().cold())
        .description("Runs that found a runner ready")
        .tag("start", "cold")
        .register(registry);
    // Each reason exported from the start (0), so a dashboard's rate sees the first one.
    KILLS.values().forEach(this::kills);
    FunctionCounter.builder("floe.runners.start.failures", pool, p -> p.stats().failed())
        .description("Runners that could not start")
        .register(registry);
  }

  private Counter kills(String reason) {
    return Counter.builder("floe.sandbox.kills")
        .description("Sandboxes stopped before their run ended by itself, by why")
        .tag("reason", reason)
        .register(registry);
  }

  private <T> void gauge(String name, String description, T of, ToDoubleFunction<T> value) {
    Gauge.builder(name, of, value).description(description).register(registry);
  }

  @Override
  public void ended(RunRecord end, Workload workload, List<TableRead> reads) {
    String mode = end.asked().mode();
    String status = end.status().name().toLowerCase(Locale.ROOT);
    ErrorCode code = end.error() == null ? null : end.error().code();
    Counter.builder("floe.runs")
        .description("Runs that ended, by mode, status and error code")
        .tags("mode", mode, "status", status, "error_code", code == null ? "none" : code.name())
        .register(registry)
        .increment();
    String kill = code == null ? null : KILLS.get(code);
    if (kill != null) {
      kills(kill).increment();
    }
    if (end.startedAt() != null) {
      phase("queue", Duration.between(end.asked().createdAt(), end.startedAt()));
    }
    RunRecord.Ending ending = end.ending();
    if (ending == null) {
      return;
    }
    if (ending.elapsedMs() != null) {
      Timer.builder("floe.run.duration")
          .description("How long runs took, from their start to their end")
          .tags("mode", mode, "status", status)
          .publishPercentileHistogram()
          .register(registry)
          .record(Duration.ofMillis(ending.elapsedMs()));
    }
    RunRecord.Output output = ending.output();
    if (end.status() != RunStatus.SUCCEEDED || output == null) {
      return;
    }
    if (output.rowCount() != null) {
      rowsReturned.increment(output.rowCount());
    }
    if (output.saved() != null) {
      rowsSaved.increment(output.saved().rowsWritten());
    }
    RunTimings timings = output.timings();
    if (timings != null) {
      phase("runner_start", timings.runnerStart());
      phase("prepare", timings.prepare());
      phase("execute", timings.execute());
      if (output.saved() != null) {
        phase("commit", timings.commit());
      }
    }
  }

  private void phase(String phase, Duration took) {
    if (took == null || took.isNegative()) {
      return;
    }
    Timer.builder("floe.run.phase")
        .description("Where runs' time went: queue, runner_start, prepare, execute, commit, result")
        .tag("phase", phase)
        .publishPercentileHistogram()
        .register(registry)
        .record(took);
  }

  /**
   * The time a result took to go out: rendered as JSON, or sent as an Arrow stream as its client
   * read it (for a streamed result, while the run still produced it).
   */
  public void resultPhase(Duration took) {
    phase("result", took);
  }

  /**
   * Rows of a result streamed to its client as the run produced it (whose run record has no row
   * count), once the whole stream went out.
   */
  public void streamedRows(long rows) {
    rowsReturned.increment(rows);
  }

  /** Bytes of a result sent as an Arrow stream. */
  public void arrowBytes(long bytes) {
    arrowBytes.increment(bytes);
  }
}

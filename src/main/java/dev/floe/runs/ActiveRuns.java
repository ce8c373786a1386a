package dev.floe.runs;

import dev.floe.error.ErrorCode;
import dev.floe.error.FloeException;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;

/**
 * The runs of this process that have not ended, and the current record of any run: a run in flight
 * is read from memory (its store row lags behind), an ended one from the store.
 */
@Singleton
public class ActiveRuns {
  private static final Logger LOG = Logger.getLogger(ActiveRuns.class);

  private final RunStore store;
  private final RunWatch watch;

  /** How often, at most, the store is read for the end of a run of another replica. */
  private static final long STORE_POLL_MAX_MILLIS = 500;

  /** The longest a request waits for a run to end. */
  private static final Duration LONGEST_WAIT = Duration.ofDays(1);

  private final Map<String, ActiveRun> active = new ConcurrentHashMap<>();

  public ActiveRuns(RunStore store, RunWatch watch) {
    this.store = store;
    this.watch = watch;
  }

  void add(ActiveRun run) {
    active.put(run.runId(), run);
  }

  void remove(String runId) {
    active.remove(runId);
  }

  Optional<ActiveRun> find(String runId) {
    return Optional.ofNullable(active.get(runId));
  }

  /** Ids of the runs in flight, at this moment. */
  Set<String> ids() {
    return new HashSet<>(active.keySet());
  }

  /** Every run in flight, at this moment. */
  List<ActiveRun> all() {
    return List.copyOf(active.values());
  }

  /** The run's record as it is now. */
  public RunRecord current(String runId) {
    ActiveRun run = active.get(runId);
    if (run != null) {
      return run.record();
    }
    return store.get(runId).orElseThrow(() -> notFound(runId));
  }

  /**
   * Newest first, {@code principal}'s only unless it is null; a run in flight as it is now, one
   * that ended as its stored summary ({@link RunStore#list}).
   */
  public List<RunRecord> list(RunStatus status, String principal, int limit) {
    return store.list(status, principal, limit).stream()
        .map(stored -> find(stored.runId()).map(ActiveRun::record).orElse(stored))
        .toList();
  }

  /** The run ended with {@code end}: stored, out of the active set, and its waiters told. */
  void finish(ActiveRun run, RunRecord end) {
    run.control().done();
    try {
      if (!store.update(end)) {
        // Another replica recorded it failed meanwhile (it took this one for lost): that stands.
        RunRecord recorded = store.get(end.runId()).orElse(end);
        LOG.warnf(
            "run %s ended here as %s, but another replica had recorded it %s (replica lost);"
                + " the record stays as that replica wrote it",
            end.runId(), end.status().wire(), recorded.status().wire());
        end = recorded;
      }
    } finally {
      run.record(end);
      active.remove(end.runId());
      run.done().complete(end);
    }
    run.control()
        .trace()
        .end(end.status().wire(), end.error() == null ? null : end.error().code().name());
    try {
      watch.ended(end, run.submission().workload(), run.control().reads());
    } catch (RuntimeException e) {
      LOG.errorf(e, "run %s: cannot record its end in the audit trail", end.runId());
    }
    LOG.debugf("run %s: %s", end.runId(), end.status().wire());
  }

  /** The run began: its watchers hear of it (a watcher's failure never stops the run). */
  void started(ActiveRun run) {
    try {
      watch.started(run.record(), run.submission().workload());
    } catch (RuntimeException e) {
      LOG.errorf(e, "run %s: cannot tell its start", run.runId());
    }
  }

  static FloeException notFound(String runId) {
    return new FloeException(
        ErrorCode.RUN_NOT_FOUND,
        "There is no run "
            + runId
            + " (finished runs are kept for a limited time); list recent runs with GET"
            + " /api/v1/warehouse/polars/runs.");
  }

  /** Completes when the run ends, with its final record. */
  public CompletableFuture<RunRecord> ended(String runId) {
    return find(runId)
        .map(ActiveRun::done)
        .orElseGet(() -> CompletableFuture.completedFuture(current(runId)));
  }

  /**
   * Waits for the run to end; null if it did not within {@code max}. A run of another replica is
   * watched in the store, where its end (or its replica's loss) will be recorded.
   */
  public RunRecord await(String runId, Duration max) throws InterruptedException {
    if (find(runId).isEmpty()) {
      return awaitStored(runId, max);
    }
    try {
      return ended(runId).get(max.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      return null;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof FloeException refused) {
        throw refused;
      }
      throw new IllegalStateException("run " + runId + " ended abnormally", e.getCause());
    }
  }

  /**
   * Waits for the run to end, as long as a client may wait for one (a day); a run that has not
   * ended by then answers TIMEOUT, never a missing result.
   */
  public RunRecord awaitEnd(String runId) throws InterruptedException {
    RunRecord end = await(runId, LONGEST_WAIT);
    if (end == null) {
      throw new FloeException(
              ErrorCode.TIMEOUT,
              "Run "
                  + runId
                  + " has not ended after "
                  + LONGEST_WAIT.toHours()
                  + " h of waiting; follow it with GET /api/v1/warehouse/polars/runs/"
                  + runId
                  + ", or cancel it.")
          .inRun(runId);
    }
    return end;
  }

  private RunRecord awaitStored(String runId, Duration max) throws InterruptedException {
    long deadline = System.nanoTime() + max.toNanos();
    long pause = 50;
    while (true) {
      RunRecord now = current(runId);
      if (now.status().isFinal()) {
        return now;
      }
      long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (left <= 0) {
        return null;
      }
      Thread.sleep(Math.min(pause, left));
      pause = Math.min(STORE_POLL_MAX_MILLIS, pause * 2);
    }
  }
}

package dev.floe.runs;

import dev.floe.config.FloeConfig;
import dev.floe.config.LimitsConfig;
import dev.floe.config.RunnersConfig;
import dev.floe.config.RunsConfig;
import dev.floe.error.ErrorCode;
import dev.floe.error.FloeException;
import dev.floe.sandbox.BoundedLog;
import dev.floe.workload.CompletedRun;
import dev.floe.workload.RunControl;
import dev.floe.workload.RunLimits;
import dev.floe.workload.Workload;
import dev.floe.workload.WorkloadService;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * Every run, synchronous or not, passes through here: a bounded pool of runners with a bounded
 * queue in front (full: 429 BUSY), a record in the run store for each run from the moment it is
 * accepted, cancel, live logs, idempotency keys, and the expiry of kept results.
 */
@ApplicationScoped
public class RunManager {
  private static final Logger LOG = Logger.getLogger(RunManager.class);

  private final WorkloadService workloads;
  private final RunsConfig config;
  private final LimitsConfig limits;
  private final RunStore store;
  private final Path resultsDir;
  private final int concurrency;
  private final ThreadPoolExecutor pool;
  private final ScheduledExecutorService sweeper;
  private final Map<String, ActiveRun> active = new ConcurrentHashMap<>();
  private volatile double meanRunSeconds = 2.0;

  public RunManager(
      WorkloadService workloads,
      RunsConfig config,
      RunnersConfig runners,
      LimitsConfig limits,
      FloeConfig floe) {
    this.workloads = workloads;
    this.config = config;
    this.limits = limits;
    this.resultsDir = floe.homePath().resolve("results");
    this.store =
        new RunStore(config.storeUrl().orElse("jdbc:sqlite:" + floe.homePath().resolve("runs.db")));
    this.concurrency = runners.concurrency();
    AtomicInteger threads = new AtomicInteger();
    this.pool =
        new ThreadPoolExecutor(
            concurrency,
            concurrency,
            0,
            TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(Math.max(1, runners.queueSize())),
            task -> {
              Thread t = new Thread(task, "floe-runner-" + threads.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    this.sweeper =
        Executors.newSingleThreadScheduledExecutor(
            task -> {
              Thread t = new Thread(task, "floe-run-sweeper");
              t.setDaemon(true);
              return t;
            });
  }

  void start(@Observes StartupEvent event) {
    int stranded = store.failInFlight(Instant.now());
    if (stranded > 0) {
      LOG.warnf(
          "%d run(s) were in flight when the service last stopped; they now read failed", stranded);
    }
    sweep();
    long every = Math.max(1, config.sweepInterval().toMillis());
    sweeper.scheduleWithFixedDelay(this::sweepQuietly, every, every, TimeUnit.MILLISECONDS);
  }

  void stop(@Observes ShutdownEvent event) {
    sweeper.shutdownNow();
    active.values().forEach(run -> run.control.cancel());
    pool.shutdownNow();
    try {
      pool.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    store.close();
  }

  /**
   * What a client asked to run, and how.
   *
   * @param idempotencyKey null when the client sent none
   * @param bodyHash what the key is bound to
   * @param streamed the result goes through a pipe to one reader instead of a kept file
   * @param keepResult keep the result file for the result TTL (asynchronous and idempotent runs)
   * @param deadline when a synchronous caller stops waiting (queue time counts); null if async
   */
  public record Submission(
      Workload workload,
      String idempotencyKey,
      String bodyHash,
      boolean streamed,
      boolean keepResult,
      Instant deadline) {}

  /** The run a submission got: a new one, or the first run of its idempotency key. */
  public record Ticket(String runId, boolean replay) {}

  public Ticket submit(Submission submission) {
    String runId = "r-" + UUID.randomUUID();
    Workload workload = submission.workload();
    Instant now = Instant.now();
    String key = null;
    if (submission.idempotencyKey() != null) {
      key = workload.principal() + "\n" + submission.idempotencyKey();
      Optional<RunStore.Claim> prior =
          store.claim(key, submission.bodyHash(), runId, now, now.minus(config.idempotencyTtl()));
      if (prior.isPresent()) {
        if (!prior.get().bodyHash().equals(submission.bodyHash())) {
          throw new FloeException(
              ErrorCode.IDEMPOTENCY_KEY_REUSED,
              "Idempotency-Key '"
                  + submission.idempotencyKey()
                  + "' was first sent with a different request (run "
                  + prior.get().runId()
                  + "); send a new key for a new request.");
        }
        return new Ticket(prior.get().runId(), true);
      }
    }
    RunRecord queued =
        RunRecord.queued(
            runId,
            workload.mode().name().toLowerCase(java.util.Locale.ROOT),
            workload.catalog(),
            workload.destination() == null ? null : workload.destination().table().toString(),
            workload.principal(),
            now,
            workload.limits().maxRows(),
            workload.limits().maxResultBytes());
    ActiveRun run =
        new ActiveRun(queued, submission, new RunControl(limits.logBytes(), submission.streamed()));
    active.put(runId, run);
    store.insert(queued);
    try {
      pool.execute(run.task(() -> work(run)));
    } catch (RejectedExecutionException full) {
      active.remove(runId);
      store.delete(runId);
      if (key != null) {
        store.release(key, runId);
      }
      FloeException busy = busy();
      run.done.completeExceptionally(busy); // a retry that found this run gets 429 too
      throw busy;
    }
    return new Ticket(runId, false);
  }

  /** The run's record as it is now. */
  public RunRecord get(String runId) {
    ActiveRun run = active.get(runId);
    if (run != null) {
      return run.record;
    }
    return store.get(runId).orElseThrow(() -> notFound(runId));
  }

  /** Newest first. */
  public List<RunRecord> list(RunStatus status, int limit) {
    return store.list(status, limit).stream().map(r -> live(r.runId(), r)).toList();
  }

  /** A run still in flight, for reading its streamed result. */
  public Optional<RunControl> control(String runId) {
    return Optional.ofNullable(active.get(runId)).map(run -> run.control);
  }

  /** Completes when the run ends, with its final record. */
  public CompletableFuture<RunRecord> ended(String runId) {
    ActiveRun run = active.get(runId);
    return run != null ? run.done : CompletableFuture.completedFuture(get(runId));
  }

  /** Waits for the run to end; null if it did not within {@code max}. */
  public RunRecord await(String runId, Duration max) throws InterruptedException {
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

  /** Cancels a queued or running run; its record reads cancelled and nothing is committed. */
  public RunRecord cancel(String runId) throws InterruptedException {
    ActiveRun run = active.get(runId);
    if (run == null) {
      throw finishedAlready(get(runId));
    }
    switch (run.control.cancel()) {
      case ALREADY_DONE -> {
        RunRecord end = await(runId, Duration.ofSeconds(10));
        throw finishedAlready(end != null ? end : get(runId));
      }
      case ALREADY_COMMITTING ->
          throw new FloeException(
              ErrorCode.RUN_FINISHED,
              "Run "
                  + runId
                  + " has finished its work and is committing its save, which cannot be"
                  + " interrupted; see its outcome with GET /api/v1/warehouse/polars/runs/"
                  + runId
                  + ".");
      case CANCELLED -> {
        if (pool.remove(run.task)) {
          finish(run, cancelledRecord(run));
        }
      }
    }
    RunRecord end = await(runId, Duration.ofSeconds(30));
    if (end != null && end.status() != RunStatus.CANCELLED) {
      throw finishedAlready(end); // it ended on its own before the cancel could stop it
    }
    return end != null ? end : get(runId);
  }

  /** Cancels a run because its synchronous client went away, unless it saves. */
  public void abandon(String runId) {
    ActiveRun run = active.get(runId);
    if (run != null && run.submission.workload().destination() == null) {
      LOG.infof("run %s: its client went away; cancelling it", runId);
      run.control.cancel();
      if (pool.remove(run.task)) {
        finish(run, cancelledRecord(run));
      }
    }
  }

  /**
   * A synchronous caller's deadline passed while its run still waited for a runner: the run leaves
   * the queue and fails with {@code timeout}. False if it had started meanwhile.
   */
  public boolean expireQueued(String runId, FloeException timeout) {
    ActiveRun run = active.get(runId);
    if (run == null || !pool.remove(run.task)) {
      return false;
    }
    finish(run, failedRecord(run.record, timeout.inRun(runId), run, System.nanoTime()));
    return true;
  }

  /** How busy the runners are. */
  public record Load(int runners, int running, int queued, int queueSize) {}

  public Load load() {
    int queued = pool.getQueue().size();
    return new Load(
        concurrency, pool.getActiveCount(), queued, queued + pool.getQueue().remainingCapacity());
  }

  /** A run's output from byte {@code after} on. */
  public LogsView logs(String runId, long after) {
    ActiveRun run = active.get(runId);
    if (run != null) {
      BoundedLog.Slice slice = run.control.log().since(after);
      return new LogsView(run.record, slice, false);
    }
    RunRecord end = get(runId);
    BoundedLog.Snapshot log = end.logs() == null ? BoundedLog.Snapshot.EMPTY : end.logs();
    return new LogsView(end, log.since(after), end.status().isFinal());
  }

  /** A slice of a run's logs and whether more can come. */
  public record LogsView(RunRecord run, BoundedLog.Slice slice, boolean complete) {}

  /** A synchronous caller rendered the result and nobody else may ask for it: remove it now. */
  public void discardResult(String runId) {
    store.get(runId).map(RunRecord::resultFile).ifPresent(file -> deleteResult(runId, file));
  }

  private void work(ActiveRun run) {
    String runId = run.record.runId();
    if (run.control.cancelled()) {
      finish(run, cancelledRecord(run));
      return;
    }
    Instant started = Instant.now();
    RunRecord running = run.record.running(started);
    run.record = running;
    long t0 = System.nanoTime();
    RunRecord end;
    try {
      store.update(running);
      Workload workload = withinDeadline(run.submission, started);
      try (CompletedRun done = workloads.execute(workload, runId, run.control)) {
        String kept = null;
        if (done.hasResultFile()) {
          Path target = resultsDir.resolve(runId + ".arrows");
          try {
            done.moveResultTo(target);
            kept = target.toString();
          } catch (RuntimeException e) {
            if (done.saved() == null) {
              throw e;
            }
            // The save landed: the run succeeded, only its kept copy of the rows is lost.
            LOG.warnf(e, "run %s: saved, but its result could not be kept", runId);
          }
        }
        Instant now = Instant.now();
        end =
            running.finished(
                RunStatus.SUCCEEDED,
                now,
                done.elapsed().toMillis(),
                done.rowCount(),
                done.saved(),
                null,
                run.control.log().snapshot(),
                kept,
                kept == null ? null : now.plus(config.resultTtl()),
                done.plan());
      }
    } catch (FloeException failure) {
      end = failedRecord(running, failure.inRun(runId), run, t0);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      run.control.cancel();
      end = cancelledRecord(run);
    } catch (RuntimeException | Error bug) {
      // Whatever happened, the run gets a final record: nobody may wait for it forever.
      LOG.errorf(bug, "run %s failed inside Floe", runId);
      end =
          failedRecord(
              running,
              new FloeException(
                      ErrorCode.INTERNAL,
                      "Run "
                          + runId
                          + " failed inside Floe; nothing was saved. Report the run id to the"
                          + " operator, whose log has the cause.")
                  .inRun(runId),
              run,
              t0);
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    meanRunSeconds = 0.8 * meanRunSeconds + 0.2 * seconds;
    finish(run, end);
  }

  /** A synchronous caller's time in the queue counts against its run's time limit. */
  private static Workload withinDeadline(Submission submission, Instant started) {
    Workload workload = submission.workload();
    if (submission.deadline() == null) {
      return workload;
    }
    RunLimits asked = workload.limits();
    Duration waited = asked.timeout().minus(Duration.between(started, submission.deadline()));
    if (waited.isNegative() || waited.isZero()) {
      return workload;
    }
    if (asked.timeout().minus(waited).toMillis() < 1000) {
      throw queueTimeout(asked.timeout());
    }
    return new Workload(
        workload.mode(),
        workload.source(),
        workload.tables(),
        workload.params(),
        workload.catalog(),
        workload.destination(),
        asked.afterQueueing(waited),
        workload.compute(),
        workload.dryRun(),
        workload.principal());
  }

  /** The failure of a synchronous run that spent its whole time limit waiting for a runner. */
  public static FloeException queueTimeout(Duration limit) {
    return new FloeException(
        ErrorCode.TIMEOUT,
        "The run waited for a free runner for its whole time limit of "
            + limit.toSeconds()
            + " s and never started; try again when the service is less busy, raise"
            + " limits.timeoutSeconds, or submit it asynchronously (POST"
            + " /api/v1/warehouse/polars/runs).");
  }

  private RunRecord failedRecord(RunRecord running, FloeException failure, ActiveRun run, long t0) {
    boolean cancelled = failure.code() == ErrorCode.RUN_CANCELLED;
    return running.finished(
        cancelled ? RunStatus.CANCELLED : RunStatus.FAILED,
        Instant.now(),
        (System.nanoTime() - t0) / 1_000_000,
        null,
        null,
        failure,
        run.control.log().snapshot(),
        null,
        null,
        null);
  }

  private RunRecord cancelledRecord(ActiveRun run) {
    String runId = run.record.runId();
    return run.record.finished(
        RunStatus.CANCELLED,
        Instant.now(),
        null,
        null,
        null,
        WorkloadService.cancelled(runId).inRun(runId),
        run.control.log().snapshot(),
        null,
        null,
        null);
  }

  private void finish(ActiveRun run, RunRecord end) {
    run.control.done();
    run.record = end;
    try {
      store.update(end);
    } finally {
      active.remove(end.runId());
      run.done.complete(end);
    }
    LOG.debugf("run %s: %s", end.runId(), end.status().wire());
  }

  private RunRecord live(String runId, RunRecord stored) {
    ActiveRun run = active.get(runId);
    return run != null ? run.record : stored;
  }

  private FloeException busy() {
    int queued = pool.getQueue().size();
    long seconds = Math.round(Math.ceil(meanRunSeconds * (queued + 1) / concurrency));
    return new BusyException(Math.max(1, Math.min(120, seconds)), concurrency, queued);
  }

  private static FloeException notFound(String runId) {
    return new FloeException(
        ErrorCode.RUN_NOT_FOUND,
        "There is no run "
            + runId
            + " (finished runs are kept for a limited time); list recent runs with GET"
            + " /api/v1/warehouse/polars/runs.");
  }

  private static FloeException finishedAlready(RunRecord run) {
    return new FloeException(
            ErrorCode.RUN_FINISHED,
            "Run "
                + run.runId()
                + " already finished ("
                + run.status().wire()
                + "); there is nothing to cancel.")
        .inRun(run.runId());
  }

  private void sweepQuietly() {
    try {
      sweep();
    } catch (RuntimeException e) {
      LOG.warnf(e, "Removing expired runs failed; will try again");
    }
  }

  /** Removes results past their TTL, records past retention, dead keys, and orphaned files. */
  void sweep() {
    Instant now = Instant.now();
    store.expiredResults(now).forEach(this::deleteResult);
    int pruned = store.prune(now.minus(config.retention()), now.minus(config.idempotencyTtl()));
    if (pruned > 0) {
      LOG.debugf("pruned %d old run records", pruned);
    }
    if (!Files.isDirectory(resultsDir)) {
      return;
    }
    // Files first, then the runs in flight, then the store: a run that just kept its result is
    // in the store before it leaves the active set, so it is found in one of the two.
    List<Path> present;
    try (Stream<Path> files = Files.list(resultsDir)) {
      present = files.toList();
    } catch (IOException e) {
      LOG.warnf("Cannot list %s to remove orphaned results: %s", resultsDir, e.getMessage());
      return;
    }
    Set<String> inFlight = new HashSet<>(active.keySet());
    Set<String> kept = new HashSet<>(store.keptResults());
    try {
      for (Path file : present) {
        String name = file.getFileName().toString();
        String runId = name.endsWith(".arrows") ? name.substring(0, name.length() - 7) : name;
        if (!kept.contains(file.toString()) && !inFlight.contains(runId)) {
          Files.deleteIfExists(file);
        }
      }
    } catch (IOException e) {
      LOG.warnf("Cannot list %s to remove orphaned results: %s", resultsDir, e.getMessage());
    }
  }

  private void deleteResult(String runId, String file) {
    try {
      Files.deleteIfExists(Path.of(file));
    } catch (IOException e) {
      LOG.warnf("Cannot delete the result of run %s: %s", runId, e.getMessage());
      return;
    }
    store.forgetResult(runId);
  }

  /** One accepted run that has not ended. */
  private static final class ActiveRun {
    final Submission submission;
    final RunControl control;
    final CompletableFuture<RunRecord> done = new CompletableFuture<>();
    volatile RunRecord record;
    Runnable task;

    ActiveRun(RunRecord record, Submission submission, RunControl control) {
      this.record = record;
      this.submission = submission;
      this.control = control;
    }

    Runnable task(Runnable body) {
      task = body;
      return body;
    }
  }
}

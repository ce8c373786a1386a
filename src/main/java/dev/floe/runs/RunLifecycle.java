package dev.floe.runs;

import dev.floe.config.LimitsConfig;
import dev.floe.config.RunsConfig;
import dev.floe.error.ErrorCode;
import dev.floe.error.FloeException;
import dev.floe.error.TryLaterException;
import dev.floe.workload.Caller;
import dev.floe.workload.RunControl;
import dev.floe.workload.RunTrace;
import io.opentelemetry.api.trace.Tracer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.jboss.logging.Logger;

/**
 * Every run, synchronous or not, passes through here: accepted (with its idempotency key) and
 * recorded, queued for a runner, then succeeded, failed or cancelled; a synchronous caller's run
 * leaves the queue at its deadline, and an abandoned one is cancelled.
 */
@Singleton
public class RunLifecycle {
  /** The key of a run's id in the service log's context (MDC), on the thread that runs it. */
  public static final String RUN_ID_MDC = "run_id";

  /** The key of a run's trace id in the log's context, as Quarkus names a request's. */
  public static final String TRACE_ID_MDC = "traceId";

  private static final Logger LOG = Logger.getLogger(RunLifecycle.class);

  private final RunStore store;
  private final IdempotencyClaims claims;
  private final ActiveRuns active;
  private final RunSlots slots;
  private final RunExecution execution;
  private final Replicas replicas;
  private final RunsConfig config;
  private final int logBytes;
  private final Clock clock;
  private final Tracer tracer;

  public RunLifecycle(
      RunStore store,
      IdempotencyClaims claims,
      ActiveRuns active,
      RunSlots slots,
      RunExecution execution,
      Replicas replicas,
      RunsConfig config,
      LimitsConfig limits,
      Clock clock,
      Tracer tracer) {
    this.tracer = tracer;
    this.store = store;
    this.claims = claims;
    this.active = active;
    this.slots = slots;
    this.execution = execution;
    this.replicas = replicas;
    this.config = config;
    this.logBytes = limits.logBytes();
    this.clock = clock;
  }

  void start(@Observes StartupEvent event) {
    replicas.register();
    int stranded = store.failInFlight(clock.instant());
    if (stranded > 0) {
      LOG.warnf(
          "%d run(s) were in flight when the service last stopped; they now read failed", stranded);
    }
  }

  void stop(@Observes ShutdownEvent event) {
    active.all().forEach(run -> run.control().cancel());
    slots.shutdown();
    try {
      replicas.deregister();
    } catch (RuntimeException e) {
      LOG.warnf("Cannot remove this replica from the run store: %s", e.getMessage());
    }
  }

  /** Accepts a run, or answers the run its idempotency key already belongs to. */
  public Ticket submit(Submission submission) {
    String runId = "r-" + UUID.randomUUID();
    Instant now = clock.instant();
    RunTrace trace = RunTrace.begin(tracer, runId, submission.workload().mode());
    RunRecord queued =
        RunRecord.queued(runId, RunRecord.Asked.of(submission.workload(), now, trace.traceId()));
    ActiveRun run = new ActiveRun(queued, submission, logBytes, execution::committing, trace);
    // In the active set before its claim is visible: whoever finds the claim finds the run.
    active.add(run);
    String key = submission.claimKey();
    Optional<IdempotencyClaims.Claim> prior;
    try {
      RunDatabase.Work<Void> quota = sharedQuota(submission.workload().principal());
      if (key == null) {
        store.insert(queued, quota);
        prior = Optional.empty();
      } else {
        prior =
            claims.claim(
                key, submission.bodyHash(), queued, now.minus(config.idempotencyTtl()), quota);
      }
    } catch (RuntimeException e) {
      active.remove(runId);
      trace.end("refused", e instanceof FloeException refused ? refused.code().name() : null);
      throw e;
    }
    if (prior.isPresent()) {
      active.remove(runId);
      trace.end("replayed", null); // the key's run, not this one, is the request's
      return replay(submission, prior.get());
    }
    try {
      slots.admit(
          submission.workload().principal(), run.task(() -> execution.runTraced(run, trace)));
    } catch (TryLaterException busy) {
      run.done().completeExceptionally(busy); // a retry that found this run gets 429 too
      claims.withdraw(key, runId);
      active.remove(runId);
      trace.end("refused", busy.code().name());
      throw busy;
    }
    return new Ticket(runId, false);
  }

  /**
   * A principal's quota, when one is configured, holds across the replicas on the store: checked
   * against its runs in flight on all of them in the transaction that records the new one. (Each
   * replica's own queue and its default shares of it are that replica's capacity, and stay its
   * own.)
   */
  private RunDatabase.Work<Void> sharedQuota(String principal) {
    OptionalInt limit = slots.sharedLimit(principal);
    if (limit.isEmpty()) {
      return db -> null;
    }
    return db -> {
      // Runs on this replica alone are held to the quota by its own queue, with its own answer.
      Replicas.InFlight inFlight = replicas.inFlightExclusively(db, principal);
      int total = inFlight.here() + inFlight.elsewhere();
      if (inFlight.elsewhere() > 0 && total >= limit.getAsInt()) {
        throw slots.sharedQuotaExceeded(principal, total);
      }
      return null;
    };
  }

  private static Ticket replay(Submission submission, IdempotencyClaims.Claim prior) {
    if (!prior.bodyHash().equals(submission.bodyHash())) {
      throw new FloeException(
          ErrorCode.IDEMPOTENCY_KEY_REUSED,
          "Idempotency-Key '"
              + submission.idempotencyKey()
              + "' was first sent with a different request (run "
              + prior.runId()
              + "); send a new key for a new request.");
    }
    return new Ticket(prior.runId(), true);
  }

  /** The run's record as it is now. */
  public RunRecord get(String runId) {
    return active.current(runId);
  }

  /** The run's record, if {@code caller} may see it; a run of another principal is not found. */
  public RunRecord get(String runId, Caller caller) {
    RunRecord run = active.current(runId);
    if (!caller.sees(run.principal())) {
      throw ActiveRuns.notFound(runId);
    }
    return run;
  }

  /** Newest first: the caller's own runs, or everyone's for the admin. */
  public List<RunRecord> list(RunStatus status, int limit, Caller caller) {
    return active.list(status, caller.admin() ? null : caller.principal(), limit);
  }

  /**
   * The other replica, alive, that accepted run {@code runId}: it holds what only it has, the run's
   * live output while it runs and its kept result after. Empty when this replica runs it, or that
   * replica is gone.
   */
  public Optional<Replica> heldElsewhere(String runId) {
    if (active.find(runId).isPresent()) {
      return Optional.empty();
    }
    return replicas.liveOwner(runId).filter(owner -> !owner.id().equals(store.self().id()));
  }

  /** A run still in flight, for reading its streamed result. */
  public Optional<RunControl> control(String runId) {
    return active.find(runId).map(ActiveRun::control);
  }

  /** Completes when the run ends, with its final record. */
  public CompletableFuture<RunRecord> ended(String runId) {
    return active.ended(runId);
  }

  /** Waits for the run to end; null if it did not within {@code max}. */
  public RunRecord await(String runId, Duration max) throws InterruptedException {
    return active.await(runId, max);
  }

  /** Waits for the run to end, as long as a client may wait (a day), or answers TIMEOUT. */
  public RunRecord awaitEnd(String runId) throws InterruptedException {
    return active.awaitEnd(runId);
  }

  /** Cancels a queued or running run; its record reads cancelled and nothing is committed. */
  public RunRecord cancel(String runId, Caller caller) throws InterruptedException {
    get(runId, caller);
    ActiveRun run = active.find(runId).orElseThrow(() -> finishedAlready(get(runId)));
    switch (run.control().cancel()) {
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
        if (slots.withdraw(run.task())) {
          active.finish(run, execution.cancelled(run));
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
    Optional<ActiveRun> found = active.find(runId);
    if (found.isEmpty() || found.get().submission().workload().destination() != null) {
      return;
    }
    ActiveRun run = found.get();
    LOG.infof("run %s: its client went away; cancelling it", runId);
    run.control().cancel();
    if (slots.withdraw(run.task())) {
      active.finish(run, execution.cancelled(run));
    }
  }

  /**
   * A synchronous caller's deadline passed while its run still waited for a runner: the run leaves
   * the queue and fails with {@code timeout}. False if it had started meanwhile.
   */
  public boolean expireQueued(String runId, FloeException timeout) {
    Optional<ActiveRun> found = active.find(runId);
    if (found.isEmpty() || !slots.withdraw(found.get().task())) {
      return false;
    }
    ActiveRun run = found.get();
    active.finish(run, execution.failed(run, timeout.inRun(runId), System.nanoTime()));
    return true;
  }

  private static FloeException finishedAlready(RunRecord run) {
    String message = "Run %s already finished (%s); there is nothing to cancel.";
    return new FloeException(
            ErrorCode.RUN_FINISHED, message.formatted(run.runId(), run.status().wire()))
        .inRun(run.runId());
  }
}

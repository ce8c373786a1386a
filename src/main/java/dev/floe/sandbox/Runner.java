package dev.floe.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;

/**
 * One runner: started ahead of its run, isolated, with its libraries imported and no job and no
 * table; handed exactly one job; discarded when that ends. There is never a second job: {@link
 * #handOver} succeeds once, and a runner that was never handed one is only ever discarded.
 */
public final class Runner {
  private static final Logger LOG = Logger.getLogger(Runner.class);

  /** Where a runner is in its one life. */
  public enum State {
    STARTING,
    READY,
    RUNNING,
    DISCARDED
  }

  /** Answers what a run asks the trusted side over its channel (tables, listings). */
  public interface Requests {
    Object answer(JsonNode request);
  }

  private final String kind;
  private final RunnerFiles files;
  private final RunnerChannel channel;
  private final RunnerLog log;
  private final RunCgroups.Group group;
  private final boolean addressSpaceBackstop;
  private final long maxFileBytes;
  private final Executor threads;
  private final long launched = System.nanoTime();
  private final AtomicReference<State> state = new AtomicReference<>(State.STARTING);
  private final CompletableFuture<Runner> ready = new CompletableFuture<>();
  private volatile RunnerProcess process;
  private volatile long readyAt;

  Runner(
      String kind,
      RunnerFiles files,
      RunnerChannel channel,
      RunnerLog log,
      RunCgroups.Group group,
      boolean addressSpaceBackstop,
      long maxFileBytes,
      Executor threads) {
    this.kind = kind;
    this.files = files;
    this.channel = channel;
    this.log = log;
    this.group = group;
    this.addressSpaceBackstop = addressSpaceBackstop;
    this.maxFileBytes = maxFileBytes;
    this.threads = threads;
  }

  /** The process is started: the runner is ready when it says hello on its channel. */
  void started(RunnerProcess started) {
    this.process = started;
    started
        .exit()
        .whenComplete(
            (code, e) -> {
              if (!ready.isDone()) {
                ready.completeExceptionally(
                    new IOException(
                        "runner "
                            + id()
                            + " exited ("
                            + code
                            + ") before it was ready: "
                            + log.startupOutput()));
              }
            });
    threads.execute(this::awaitHello);
  }

  private void awaitHello() {
    try {
      channel.accept();
      readyAt = System.nanoTime();
      if (state.compareAndSet(State.STARTING, State.READY)) {
        ready.complete(this);
      }
    } catch (IOException | RuntimeException e) {
      ready.completeExceptionally(e);
    }
  }

  public String id() {
    return files.id();
  }

  public String kind() {
    return kind;
  }

  public RunnerFiles files() {
    return files;
  }

  public State state() {
    return state.get();
  }

  /** Completes when the runner is ready for its job, or fails if it could not start. */
  public CompletableFuture<Runner> ready() {
    return ready;
  }

  /** How long the runner took from its launch to ready. */
  public Duration startTime() {
    return readyAt == 0 ? Duration.ZERO : Duration.ofNanos(readyAt - launched);
  }

  /**
   * Whether the run's address-space limit is only a generous backstop (a memory cgroup holds it, or
   * its kind says so: {@link LauncherKind#addressSpaceBackstop}); else it is the run's memory
   * limit.
   */
  public boolean addressSpaceBackstop() {
    return group != null || addressSpaceBackstop;
  }

  /** Whether the runner died while waiting for its job. */
  public boolean alive() {
    RunnerProcess p = process;
    return p != null && !p.exit().isDone() && state.get() == State.READY;
  }

  /**
   * Hands the runner its one job: the run's budget is set on its cgroups, its output goes to the
   * run's log, and its channel answers the run's requests with {@code requests} until it ends.
   */
  public RunHandle handOver(RunJob job, RunBudget budget, BoundedLog runLog, Requests requests)
      throws IOException {
    if (!state.compareAndSet(State.READY, State.RUNNING)) {
      throw new IllegalStateException(
          "runner " + id() + " cannot take a job: it is " + state.get());
    }
    if (group != null) {
      try {
        group.update(new RunCgroups.Limits(budget.memoryBytes(), -1, budget.cpus()));
      } catch (IOException tooSmall) {
        // The kernel refuses a memory limit below what the runner already uses.
        throw new RunnerBudgetException(id(), budget, tooSmall);
      }
    }
    log.attach(runLog);
    process.handedOver(budget);
    long handedOver = System.nanoTime();
    channel.send(job);
    threads.execute(() -> serve(requests));
    return new Handle(budget.timeout(), runLog, handedOver);
  }

  private void serve(Requests requests) {
    try {
      for (JsonNode request = channel.receive(); request != null; request = channel.receive()) {
        channel.send(requests.answer(request));
      }
    } catch (IOException | RuntimeException e) {
      if (state.get() != State.DISCARDED) {
        LOG.debugf("runner %s: its channel ended: %s", id(), e.getMessage());
      }
    } finally {
      channel.close();
    }
  }

  /** Kills whatever is left of the runner and removes its cgroups and files. Idempotent. */
  public void discard() {
    discard(false);
  }

  /** As {@link #discard()}; with {@code keepFiles} its directory stays (to debug the harness). */
  public void discard(boolean keepFiles) {
    if (state.getAndSet(State.DISCARDED) == State.DISCARDED) {
      return;
    }
    kill();
    channel.close();
    if (!ready.isDone()) {
      ready.completeExceptionally(new IOException("runner " + id() + " was discarded"));
    }
    // Killed and cut off: what is left (removing its cgroups and its directory) is bookkeeping,
    // done off the caller's path so a run's answer does not wait for it.
    Runnable remove =
        () -> {
          if (group != null) {
            group.killAndRemove();
          }
          if (!keepFiles) {
            files.delete();
          }
        };
    try {
      threads.execute(remove);
    } catch (RejectedExecutionException stopping) {
      remove.run();
    }
  }

  private void kill() {
    if (group != null) {
      group.kill();
    }
    RunnerProcess p = process;
    if (p != null) {
      p.kill();
    }
  }

  private final class Handle implements RunHandle {
    private final Duration timeout;
    private final BoundedLog runLog;
    private final long started;
    private volatile boolean cancelled;

    Handle(Duration timeout, BoundedLog runLog, long started) {
      this.timeout = timeout;
      this.runLog = runLog;
      this.started = started;
    }

    @Override
    public RunnerExit await() throws InterruptedException {
      boolean timedOut = false;
      int code;
      try {
        code = process.exit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        timedOut = true;
        kill();
        code = exitAfterKill();
      } catch (ExecutionException e) {
        LOG.errorf(e.getCause(), "runner %s: lost", id());
        code = -1;
      } catch (InterruptedException e) {
        cancel();
        throw e;
      }
      RunnerExit.LimitsHit hit =
          group == null
              ? RunnerExit.LimitsHit.NONE
              : new RunnerExit.LimitsHit(group.oomKilled(), group.pidsLimitHit(), 0);
      // Every process of the run is gone now (a daemonized one too): nothing can write its files
      // any more, and its output pipe ends.
      kill();
      awaitOutput();
      hit = files.inspectOutputs(hit, maxFileBytes);
      return new RunnerExit(
          code,
          timedOut,
          cancelled,
          runLog.toString(),
          runLog.truncated(),
          Duration.ofNanos(System.nanoTime() - started),
          hit);
    }

    private void awaitOutput() throws InterruptedException {
      try {
        process.output().get(2, TimeUnit.SECONDS);
      } catch (ExecutionException | TimeoutException e) {
        LOG.debugf("runner %s: its output did not end: %s", id(), e);
      }
    }

    private int exitAfterKill() throws InterruptedException {
      try {
        return process.exit().get(10, TimeUnit.SECONDS);
      } catch (ExecutionException | TimeoutException e) {
        LOG.errorf("runner %s did not end after SIGKILL", id());
        return -1;
      }
    }

    @Override
    public void cancel() {
      cancelled = true;
      kill();
    }
  }
}

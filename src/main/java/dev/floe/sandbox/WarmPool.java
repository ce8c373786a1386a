package dev.floe.sandbox;

import dev.floe.config.RunnersConfig;
import dev.floe.config.SandboxConfig;
import dev.floe.error.ErrorCode;
import dev.floe.error.FloeException;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * Runners started before their runs: {@code floe.runners.warm} of them kept ready, refilled in the
 * background as runs take them. A run that finds none starts one itself (the cold path). Every
 * runner runs one job at most and is discarded after it.
 */
@ApplicationScoped
public class WarmPool {
  private static final Logger LOG = Logger.getLogger(WarmPool.class);

  /** A runner for one run, and whether it was waiting ready (warm) or started for it (cold). */
  public record Taken(Runner runner, boolean warm) {}

  /** How full the pool is and how runs found it. */
  public record Stats(
      int target, int ready, int starting, long warm, long cold, long failed, long meanStartMs) {}

  private final RunnerSetup setup;
  private final int target;
  private final Duration startTimeout;
  private final ConcurrentLinkedDeque<Runner> ready = new ConcurrentLinkedDeque<>();
  private final AtomicInteger starting = new AtomicInteger();
  private final AtomicLong warmTakes = new AtomicLong();
  private final AtomicLong coldTakes = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private final AtomicLong meanStartMicros = new AtomicLong();
  private final java.util.Set<String> unclaimed =
      java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final ExecutorService starter;
  private volatile boolean stopping;
  private volatile long backoffUntil;

  public WarmPool(RunnerSetup setup, RunnersConfig runners, SandboxConfig sandbox) {
    this.setup = setup;
    this.target = runners.warmRunners();
    this.startTimeout = Duration.ofSeconds(sandbox.startTimeoutSeconds());
    this.starter =
        Executors.newCachedThreadPool(
            task -> {
              Thread t = new Thread(task, "floe-runner-start");
              t.setDaemon(true);
              return t;
            });
  }

  void start(@Observes StartupEvent event) {
    refill();
  }

  void stop(@Observes ShutdownEvent event) {
    stopping = true;
    starter.shutdownNow();
    for (Runner runner = ready.pollFirst(); runner != null; runner = ready.pollFirst()) {
      unclaimed.remove(runner.id());
      runner.discard();
    }
  }

  /** A ready runner for one run: from the pool, else started now. */
  public Taken take() throws InterruptedException {
    RunnerLauncher launcher = setup.require();
    for (Runner runner = ready.pollFirst(); runner != null; runner = ready.pollFirst()) {
      unclaimed.remove(runner.id());
      if (runner.alive()) {
        warmTakes.incrementAndGet();
        refill();
        return new Taken(runner, true);
      }
      runner.discard(); // it died waiting (killed from outside, or its template went away)
    }
    refill();
    Runner runner;
    try {
      runner = startOne(launcher);
    } catch (IOException e) {
      throw new FloeException(
          ErrorCode.SANDBOX_UNAVAILABLE,
          "Cannot start a sandbox for this run on this server ("
              + e.getMessage()
              + "); try again, and tell the operator if it persists.");
    }
    unclaimed.remove(runner.id());
    coldTakes.incrementAndGet();
    return new Taken(runner, false);
  }

  public Stats stats() {
    return new Stats(
        target,
        ready.size(),
        starting.get(),
        warmTakes.get(),
        coldTakes.get(),
        failures.get(),
        meanStartMicros.get() / 1000);
  }

  /** The runners that belong to no run yet: ready in the pool, or starting for it. */
  public java.util.Set<String> unclaimedRunners() {
    return java.util.Set.copyOf(unclaimed);
  }

  /** Starts runners until the pool holds its target (ready or starting). */
  private synchronized void refill() {
    RunnerLauncher launcher = setup.launcher().orElse(null);
    if (launcher == null || stopping || System.nanoTime() < backoffUntil) {
      return;
    }
    while (ready.size() + starting.get() < target) {
      starting.incrementAndGet();
      try {
        starter.execute(() -> fillOne(launcher));
      } catch (java.util.concurrent.RejectedExecutionException e) {
        starting.decrementAndGet();
        return;
      }
    }
  }

  private void fillOne(RunnerLauncher launcher) {
    try {
      Runner runner = startOne(launcher);
      ready.addLast(runner);
      if (stopping && ready.remove(runner)) {
        unclaimed.remove(runner.id());
        runner.discard();
      }
      backoffUntil = 0;
    } catch (IOException | RuntimeException e) {
      // Runs still get cold runners (which say why if they fail too); retry in a while.
      backoffUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
      LOG.warnf("could not start a warm runner: %s", e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      starting.decrementAndGet();
    }
    if (backoffUntil == 0) {
      refill();
    }
  }

  private Runner startOne(RunnerLauncher launcher) throws IOException, InterruptedException {
    String id = newId();
    unclaimed.add(id);
    Runner runner;
    try {
      runner = launcher.launch(id);
    } catch (IOException | RuntimeException e) {
      unclaimed.remove(id);
      throw e;
    }
    try {
      runner.ready().get(startTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      unclaimed.remove(id);
      runner.discard();
      failures.incrementAndGet();
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      throw new IOException("runner " + runner.id() + " did not start: " + cause.getMessage(), e);
    } catch (InterruptedException e) {
      unclaimed.remove(id);
      runner.discard();
      throw e;
    }
    long micros = runner.startTime().toNanos() / 1000;
    meanStartMicros.getAndUpdate(m -> m == 0 ? micros : (m * 7 + micros) / 8);
    return runner;
  }

  private static String newId() {
    byte[] bytes = new byte[6];
    ThreadLocalRandom.current().nextBytes(bytes);
    return "rn-" + HexFormat.of().formatHex(bytes);
  }
}

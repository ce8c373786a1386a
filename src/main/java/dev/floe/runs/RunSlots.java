package dev.floe.runs;

import dev.floe.config.QuotasConfig;
import dev.floe.config.RunnersConfig;
import dev.floe.error.ErrorCode;
import dev.floe.error.FloeException;
import dev.floe.error.TryLaterException;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A bounded number of runs execute at once, and a bounded queue waits in front of them. Admission
 * is decided here and nowhere else: a run that finds the whole queue full is refused with 429 BUSY,
 * one whose principal already has its quota of runs waiting with 429 QUOTA_EXCEEDED, each with a
 * Retry-After estimated from recent run times.
 *
 * <p>The queue is fair: a free runner goes to the next principal in turn that has a run waiting and
 * is below its quota of running runs, so one principal flooding the service delays only itself.
 */
@Singleton
public class RunSlots {
  /** Retry-After bounds, in seconds. */
  private static final long MIN_RETRY = 1;

  private static final long MAX_RETRY = 120;

  private final int concurrency;
  private final int queueSize;
  private final QuotasConfig quotas;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();

  /** Runs waiting, per principal; principals in the order their turn comes. */
  private final Map<String, ArrayDeque<Runnable>> waiting = new HashMap<>();

  private final ArrayDeque<String> turns = new ArrayDeque<>();
  private final Map<String, Integer> runningOf = new HashMap<>();
  private final List<Thread> workers = new ArrayList<>();
  private int queued;
  private int running;
  private boolean stopped;
  private volatile double meanRunSeconds = 2.0;

  public RunSlots(RunnersConfig runners, QuotasConfig quotas) {
    this.concurrency = runners.concurrency();
    this.queueSize = Math.max(1, runners.queueSize());
    this.quotas = quotas;
    for (int i = 1; i <= concurrency; i++) {
      Thread worker = new Thread(this::work, "floe-runner-" + i);
      worker.setDaemon(true);
      workers.add(worker);
      worker.start();
    }
  }

  /** How busy the runners are. */
  public record Load(int runners, int running, int queued, int queueSize) {}

  /**
   * Starts {@code run} on a free runner, or queues it in {@code principal}'s turn; refuses it when
   * the queue is full or the principal's share of it is.
   */
  public void admit(String principal, Runnable run) throws TryLaterException {
    lock.lock();
    try {
      if (stopped) {
        throw new BusyException(MAX_RETRY, concurrency, queued);
      }
      ArrayDeque<Runnable> mine = waiting.getOrDefault(principal, new ArrayDeque<>());
      // A runner is free and the principal may run one more: it starts at once (runs waiting for
      // their own principal's quota do not hold it back).
      boolean startsNow = running < concurrency && runningOf(principal) < running(principal);
      if (!startsNow && queued >= queueSize) {
        throw new BusyException(retryAfter(queued + 1, concurrency), concurrency, queued);
      }
      if (!startsNow && mine.size() >= queued(principal)) {
        throw quotaExceeded(principal, mine.size());
      }
      if (mine.isEmpty()) {
        waiting.put(principal, mine);
        turns.addLast(principal);
      }
      mine.addLast(run);
      queued++;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Takes a run out of the queue; false if it was not waiting there (it started, or ended). */
  public boolean withdraw(Runnable run) {
    lock.lock();
    try {
      for (Iterator<Map.Entry<String, ArrayDeque<Runnable>>> it = waiting.entrySet().iterator();
          it.hasNext(); ) {
        Map.Entry<String, ArrayDeque<Runnable>> entry = it.next();
        if (entry.getValue().removeFirstOccurrence(run)) {
          queued--;
          if (entry.getValue().isEmpty()) {
            it.remove();
            turns.remove(entry.getKey());
          }
          return true;
        }
      }
      return false;
    } finally {
      lock.unlock();
    }
  }

  /** A run took this long on its runner: the Retry-After estimate follows recent runs. */
  public void ran(Duration took) {
    meanRunSeconds = 0.8 * meanRunSeconds + 0.2 * (took.toNanos() / 1e9);
  }

  public Load load() {
    lock.lock();
    try {
      return new Load(concurrency, running, queued, queueSize);
    } finally {
      lock.unlock();
    }
  }

  /** Stops every runner thread (their runs were cancelled first) and waits a while for them. */
  public void shutdown() {
    lock.lock();
    try {
      stopped = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    workers.forEach(Thread::interrupt);
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    try {
      for (Thread worker : workers) {
        worker.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(until - System.nanoTime())));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The failure of a synchronous run that spent its whole time limit waiting for a runner. */
  public static FloeException queueTimeout(Duration limit) {
    String message =
        "The run waited for a free runner for its whole time limit of %d s and never started;"
            + " try again when the service is less busy, raise limits.timeoutSeconds, or submit it"
            + " asynchronously (POST /api/v1/warehouse/polars/runs).";
    return new FloeException(ErrorCode.TIMEOUT, message.formatted(limit.toSeconds()));
  }

  /** One runner thread: takes the next run in turn, runs it, and comes back for another. */
  private void work() {
    while (true) {
      Turn turn;
      try {
        turn = next();
      } catch (InterruptedException e) {
        continue; // only shutdown ends a runner thread, and next() says so with null
      }
      if (turn == null) {
        return;
      }
      try {
        turn.run().run();
      } catch (RuntimeException | Error e) {
        // The run records its own failures; a runner thread outlives any one run.
      } finally {
        Thread.interrupted(); // an interrupt meant for this run is not the next run's
        lock.lock();
        try {
          running--;
          runningOf.merge(turn.principal(), -1, (a, b) -> a + b == 0 ? null : a + b);
          changed.signalAll();
        } finally {
          lock.unlock();
        }
      }
    }
  }

  private record Turn(String principal, Runnable run) {}

  /** Waits for a run whose principal's turn it is and who may run one more; null when stopped. */
  private Turn next() throws InterruptedException {
    lock.lock();
    try {
      while (!stopped) {
        for (Iterator<String> it = turns.iterator(); it.hasNext(); ) {
          String principal = it.next();
          if (runningOf(principal) >= running(principal)) {
            continue;
          }
          ArrayDeque<Runnable> mine = waiting.get(principal);
          Runnable run = mine.removeFirst();
          it.remove();
          if (mine.isEmpty()) {
            waiting.remove(principal);
          } else {
            turns.addLast(principal); // the others go first next time
          }
          queued--;
          running++;
          runningOf.merge(principal, 1, Integer::sum);
          return new Turn(principal, run);
        }
        changed.await();
      }
      return null;
    } finally {
      lock.unlock();
    }
  }

  private int runningOf(String principal) {
    return runningOf.getOrDefault(principal, 0);
  }

  private int running(String principal) {
    QuotasConfig.Principal own = quotas.principals().get(principal);
    return (own == null ? quotas.running() : own.running().or(quotas::running)).orElse(concurrency);
  }

  private int queued(String principal) {
    QuotasConfig.Principal own = quotas.principals().get(principal);
    return (own == null ? quotas.queued() : own.queued().or(quotas::queued))
        .orElse(Math.max(1, queueSize / 2));
  }

  /**
   * How many runs {@code principal} may have in flight on all replicas together (its running and
   * waiting quotas), when a quota is configured for it or for everyone; empty when its shares are
   * the defaults, which follow this replica's capacity.
   */
  public OptionalInt sharedLimit(String principal) {
    QuotasConfig.Principal own = quotas.principals().get(principal);
    boolean configured =
        quotas.running().isPresent()
            || quotas.queued().isPresent()
            || (own != null && (own.running().isPresent() || own.queued().isPresent()));
    return configured
        ? OptionalInt.of(running(principal) + queued(principal))
        : OptionalInt.empty();
  }

  /** Refuses a run of {@code principal}, who has {@code inFlight} runs on all replicas together. */
  public TryLaterException sharedQuotaExceeded(String principal, int inFlight) {
    return quotaExceeded(
        principal, inFlight + " run(s) running or waiting across the service's replicas", inFlight);
  }

  private TryLaterException quotaExceeded(String principal, int waitingRuns) {
    return quotaExceeded(
        principal,
        runningOf(principal) + " run(s) running and " + waitingRuns + " waiting",
        waitingRuns);
  }

  /**
   * QUOTA_EXCEEDED for {@code principal}, who has {@code what}; {@code ahead} runs before theirs.
   */
  private TryLaterException quotaExceeded(String principal, String what, int ahead) {
    long seconds = retryAfter(ahead + 1, Math.min(running(principal), concurrency));
    return new TryLaterException(
        ErrorCode.QUOTA_EXCEEDED,
        "You have "
            + what
            + ", your quota ("
            + running(principal)
            + " running, "
            + queued(principal)
            + " waiting); retry in about "
            + seconds
            + " s (Retry-After) or ask an admin for a larger quota.",
        seconds);
  }

  private long retryAfter(int ahead, int runners) {
    long seconds = Math.round(Math.ceil(meanRunSeconds * ahead / Math.max(1, runners)));
    return Math.max(MIN_RETRY, Math.min(MAX_RETRY, seconds));
  }
}

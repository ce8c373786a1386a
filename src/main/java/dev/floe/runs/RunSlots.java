package dev.floe.runs;

import dev.floe.config.RunnersConfig;
import dev.floe.error.ErrorCode;
import dev.floe.error.FloeException;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A bounded number of runs execute at once, and a bounded queue waits in front of them; a run that
 * finds both full is refused with 429 BUSY and a Retry-After estimated from recent run times.
 * Admission is decided here and nowhere else (per-principal quotas and a fair queue belong here).
 */
@Singleton
public class RunSlots {
  /** Retry-After bounds, in seconds. */
  private static final long MIN_RETRY = 1;

  private static final long MAX_RETRY = 120;

  private final int concurrency;
  private final ThreadPoolExecutor pool;
  private volatile double meanRunSeconds = 2.0;

  public RunSlots(RunnersConfig runners) {
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
  }

  /** How busy the runners are. */
  public record Load(int runners, int running, int queued, int queueSize) {}

  /** Starts {@code run} on a free runner, or queues it; refuses it when the queue is full. */
  public void admit(Runnable run) throws BusyException {
    try {
      pool.execute(run);
    } catch (RejectedExecutionException full) {
      int queued = pool.getQueue().size();
      long seconds = Math.round(Math.ceil(meanRunSeconds * (queued + 1) / concurrency));
      throw new BusyException(
          Math.max(MIN_RETRY, Math.min(MAX_RETRY, seconds)), concurrency, queued);
    }
  }

  /** Takes a run out of the queue; false if it was not waiting there (it started, or ended). */
  public boolean withdraw(Runnable run) {
    return pool.remove(run);
  }

  /** A run took this long on its runner: the Retry-After estimate follows recent runs. */
  public void ran(Duration took) {
    meanRunSeconds = 0.8 * meanRunSeconds + 0.2 * (took.toNanos() / 1e9);
  }

  public Load load() {
    BlockingQueue<Runnable> queue = pool.getQueue();
    int queued = queue.size();
    return new Load(concurrency, pool.getActiveCount(), queued, queued + queue.remainingCapacity());
  }

  /** Stops every runner thread (their runs were cancelled first) and waits a while for them. */
  public void shutdown() {
    pool.shutdownNow();
    try {
      pool.awaitTermination(10, TimeUnit.SECONDS);
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
}

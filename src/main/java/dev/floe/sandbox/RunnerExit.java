package dev.floe.sandbox;

import java.time.Duration;

/**
 * How a runner's run ended, before anyone looked at what it wrote.
 *
 * @param exitCode the harness's exit code, or 128 + the signal that killed it
 * @param hit the kernel limits the run ran into
 */
public record RunnerExit(
    int exitCode,
    boolean timedOut,
    boolean cancelled,
    String logs,
    boolean logsTruncated,
    Duration elapsed,
    LimitsHit hit) {

  /**
   * The exit code of a runner that went away without reporting one: a run pod whose connection
   * ended (evicted, its node lost, killed by the cluster at its memory limit, or deleted by this
   * service).
   */
  public static final int LOST = -2;

  /**
   * What the kernel stopped.
   *
   * @param oomKilled the OOM killer killed a process of the run (its memory cgroup says so)
   * @param pidsLimitHit the run tried to exceed its process/thread limit
   * @param fileSizeLimitBytes the file-size limit an output file of the run reached (so the write
   *     past it failed); 0 when none did
   */
  public record LimitsHit(boolean oomKilled, boolean pidsLimitHit, long fileSizeLimitBytes) {
    public static final LimitsHit NONE = new LimitsHit(false, false, 0);
  }
}

package dev.floe.sandbox;

import java.time.Duration;

/**
 * How a harness process ended, before anyone looked at what it wrote.
 *
 * @param oomKilled the kernel's OOM killer killed a process of the run (its memory cgroup says so)
 * @param pidsLimitHit the run tried to exceed its process/thread limit
 */
public record ProcessResult(
    int exitCode,
    boolean timedOut,
    boolean cancelled,
    String logs,
    boolean logsTruncated,
    Duration elapsed,
    boolean oomKilled,
    boolean pidsLimitHit) {

  public ProcessResult withCgroupFindings(boolean oomKilled, boolean pidsLimitHit) {
    return new ProcessResult(
        exitCode, timedOut, cancelled, logs, logsTruncated, elapsed, oomKilled, pidsLimitHit);
  }
}

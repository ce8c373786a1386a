package dev.floe.sandbox;

import java.time.Duration;

/**
 * How a harness process ended, before anyone looked at what it wrote.
 *
 * @param oomKilled the kernel's OOM killer killed a process of the run (its memory cgroup says so)
 * @param pidsLimitHit the run tried to exceed its process/thread limit
 * @param fileSizeLimitHit the file-size limit (bytes) that an output file of the run reached, so
 *     the write past it failed; 0 when none did
 */
public record ProcessResult(
    int exitCode,
    boolean timedOut,
    boolean cancelled,
    String logs,
    boolean logsTruncated,
    Duration elapsed,
    boolean oomKilled,
    boolean pidsLimitHit,
    long fileSizeLimitHit) {

  public ProcessResult(
      int exitCode,
      boolean timedOut,
      boolean cancelled,
      String logs,
      boolean logsTruncated,
      Duration elapsed,
      boolean oomKilled,
      boolean pidsLimitHit) {
    this(exitCode, timedOut, cancelled, logs, logsTruncated, elapsed, oomKilled, pidsLimitHit, 0);
  }

  public ProcessResult withCgroupFindings(boolean oomKilled, boolean pidsLimitHit) {
    return new ProcessResult(
        exitCode,
        timedOut,
        cancelled,
        logs,
        logsTruncated,
        elapsed,
        oomKilled,
        pidsLimitHit,
        fileSizeLimitHit);
  }

  public ProcessResult withFileSizeLimitHit(long limitBytes) {
    return new ProcessResult(
        exitCode,
        timedOut,
        cancelled,
        logs,
        logsTruncated,
        elapsed,
        oomKilled,
        pidsLimitHit,
        limitBytes);
  }
}

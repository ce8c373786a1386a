package dev.floe.workload;

import java.time.Duration;

/**
 * The budget of one run, after defaults and caps were applied.
 *
 * @param timeout the whole time limit the client has (or the server default)
 * @param queued how much of it a synchronous run already spent waiting for a free runner
 */
public record RunLimits(
    Duration timeout, int memoryMb, int maxRows, long maxResultBytes, Duration queued) {

  public RunLimits(Duration timeout, int memoryMb, int maxRows, long maxResultBytes) {
    this(timeout, memoryMb, maxRows, maxResultBytes, Duration.ZERO);
  }

  /** What is left for running once the wait in the queue is taken off. */
  public Duration runTime() {
    return timeout.minus(queued);
  }

  public RunLimits afterQueueing(Duration waited) {
    return new RunLimits(timeout, memoryMb, maxRows, maxResultBytes, waited);
  }
}

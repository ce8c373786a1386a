package dev.floe.workload;

import java.time.Duration;

/**
 * Where a run's time went, and how it got its runner.
 *
 * @param runner the kind of runner (fork, bwrap…); {@code runnerId} which one, for its log lines
 * @param warmRunner whether a ready runner was waiting (else one was started for the run)
 * @param runnerStart the wait for a runner: zero for a warm one
 * @param prepare resolving and granting the tables and handing the job over
 * @param execute from the hand-over until the run ended
 * @param commit the trusted save, when there was one
 */
public record RunTimings(
    String runner,
    String runnerId,
    boolean warmRunner,
    Duration runnerStart,
    Duration prepare,
    Duration execute,
    Duration commit) {}

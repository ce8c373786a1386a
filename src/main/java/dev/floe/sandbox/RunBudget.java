package dev.floe.sandbox;

import java.time.Duration;

/**
 * What the trusted side enforces on a run from outside, set on its runner at hand-over.
 *
 * @param cpus CPUs of quota (the run's threads)
 */
public record RunBudget(Duration timeout, long memoryBytes, int cpus) {}

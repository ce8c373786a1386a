package dev.floe.workload;

import java.time.Duration;

/** The budget of one run, after defaults and caps were applied. */
public record RunLimits(Duration timeout, int memoryMb, int maxRows, long maxResultBytes) {}

package dev.floe.sandbox;

import java.time.Duration;

/** How a harness process ended, before anyone looked at what it wrote. */
public record ProcessResult(
    int exitCode,
    boolean timedOut,
    boolean cancelled,
    String logs,
    boolean logsTruncated,
    Duration elapsed) {}

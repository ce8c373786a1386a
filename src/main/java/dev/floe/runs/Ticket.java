package dev.floe.runs;

/** The run a submission got: a new one, or the run its idempotency key already belongs to. */
public record Ticket(String runId, boolean replay) {}

package dev.floe.workload;

/** The phases of one run, named so logs, spans and metrics attach to the same words. */
public enum RunPhase {
  VALIDATE,
  PLAN,
  QUEUE,
  SANDBOX_START,
  EXECUTE,
  STREAM,
  COMMIT
}

package dev.floe.sandbox;

import java.util.concurrent.CompletableFuture;

/** The process side of one runner, however it was started. */
interface RunnerProcess {
  /** Completes with the runner's exit code (128 + the signal when killed). */
  CompletableFuture<Integer> exit();

  /** Completes when the runner's stdout/stderr ended (every process holding it is gone). */
  CompletableFuture<Void> output();

  /** SIGKILL to every process of the runner. */
  void kill();

  /** The runner was handed its run's job, with {@code budget}. */
  default void handedOver(RunBudget budget) {}
}

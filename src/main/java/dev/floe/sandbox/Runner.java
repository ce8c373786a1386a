package dev.floe.sandbox;

/**
 * Starts the harness for one run. Implementations differ only in isolation (none, bwrap, a pod);
 * each passes {@code RunnerContractTest}.
 */
public interface Runner {
  /** The runner's configuration name, e.g. {@code bwrap}. */
  String name();

  /** Whether user code is isolated from the service and the host. */
  boolean isolated();

  RunHandle start(RunSpec spec);
}

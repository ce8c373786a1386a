package dev.floe.sandbox;

import java.io.IOException;

/**
 * Starts runners of one kind ahead of their runs. Kinds differ only in how a runner is started
 * (forked from a template, started by bubblewrap, a plain process for development) and how far it
 * is isolated; every kind passes {@code RunnerContractTest}.
 */
public interface RunnerLauncher extends AutoCloseable {
  /** The kind of runner this launcher starts. */
  LauncherKind kind();

  /** The kind's configuration name, e.g. {@code fork}. */
  default String name() {
    return kind().name();
  }

  /** Whether user code is isolated from the service and the host. */
  default boolean isolated() {
    return kind().isolated();
  }

  /**
   * What the launcher says of itself for readiness and the start-up log (the fork template's pid
   * and libraries, the run pods' count and hand-over address), or null.
   */
  default String describe() {
    return null;
  }

  /** Starts a runner; it is ready (or failed) when {@link Runner#ready()} completes. */
  Runner launch(String id) throws IOException;

  @Override
  default void close() {}
}

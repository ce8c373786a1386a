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

  /** Starts a runner; it is ready (or failed) when {@link Runner#ready()} completes. */
  Runner launch(String id) throws IOException;

  @Override
  default void close() {}
}

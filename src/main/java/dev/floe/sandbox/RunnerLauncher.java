package dev.floe.sandbox;

import java.io.IOException;

/**
 * Starts runners of one kind ahead of their runs. Kinds differ only in how a runner is started
 * (forked from a template, started by bubblewrap, a plain process for development) and how far it
 * is isolated; every kind passes {@code RunnerContractTest}.
 */
public interface RunnerLauncher extends AutoCloseable {
  /** The kind's configuration name, e.g. {@code fork}. */
  String name();

  /** Whether user code is isolated from the service and the host. */
  boolean isolated();

  /** Starts a runner; it is ready (or failed) when {@link Runner#ready()} completes. */
  Runner launch(String id) throws IOException;

  @Override
  default void close() {}
}

package dev.floe.catalog.trusted;

import dev.floe.config.FloeConfig;
import dev.floe.config.SaveConfig;
import dev.floe.sandbox.PythonRuntime;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Duration;

/** Makes the service's one pool of trusted writers, sized by {@code floe.save.writers}. */
public class TrustedWriters {
  /** Importing PyIceberg on a busy 2-core machine takes seconds; a minute is far past that. */
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

  @Produces
  @Singleton
  TrustedWriterPool pool(
      PythonRuntime runtime, SaveConfig save, FloeConfig floe, TrustedProtocol protocol) {
    var python = runtime.environment();
    return new TrustedWriterPool(
        new TrustedWriterPool.Launch(
            python.python(),
            python.ready() ? null : python.problem(),
            runtime.harnessDir(),
            floe.homePath(),
            START_TIMEOUT),
        protocol,
        save.writers());
  }

  void close(@Disposes TrustedWriterPool pool) {
    pool.close();
  }
}

package dev.floe.sandbox;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.CompletableFuture;

/** Copies a runner's stdout/stderr into its log until the last process holding it is gone. */
final class OutputPump {
  private OutputPump() {}

  interface Source {
    InputStream open() throws IOException;
  }

  static CompletableFuture<Void> start(
      Source source, RunnerLog log, java.util.concurrent.Executor threads) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    threads.execute(
        () -> {
          try (InputStream in = source.open()) {
            byte[] buffer = new byte[16384];
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
              log.write(buffer, 0, n);
            }
          } catch (IOException e) {
            // the runner is gone; what it printed so far is in the log
          } finally {
            done.complete(null);
          }
        });
    return done;
  }
}

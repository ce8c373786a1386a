package dev.floe.runs;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** A fresh {@link WiredRuns} over a temporary directory for each test. */
abstract class RunsTestBase {
  @TempDir Path dir;
  WiredRuns runs;

  @BeforeEach
  void wire() {
    runs = new WiredRuns(dir);
  }

  @AfterEach
  void close() {
    runs.close();
  }
}

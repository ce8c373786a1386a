package dev.floe.runs;

import dev.floe.testing.TempPostgres;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fresh {@link WiredRuns} over a temporary directory and a new run store for each test: a SQLite
 * file there, or a PostgreSQL database where a subclass says so ({@link #storeUrl}).
 */
abstract class RunsTestBase {
  @TempDir Path dir;
  WiredRuns runs;

  /** The run store of one test: SQLite in its temp dir; the *PostgresTest subclasses override. */
  String storeUrl() {
    return "jdbc:sqlite:" + dir.resolve("runs.db");
  }

  private String postgres;

  /** A new PostgreSQL database for this test, the same one each time it is asked for. */
  final String postgres(String prefix) {
    if (postgres == null) {
      postgres = TempPostgres.newDatabase(prefix);
    }
    return postgres;
  }

  @BeforeEach
  void wire() {
    runs = new WiredRuns(dir, storeUrl());
  }

  @AfterEach
  void close() {
    runs.close();
  }
}

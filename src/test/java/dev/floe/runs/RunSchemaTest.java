package dev.floe.runs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.floe.error.ErrorCode;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The run store's schema versions. {@code runs/legacy-runs.db} was written by the run store before
 * migrations existed (commit 72d802c, tables created in its constructor): it must upgrade in place.
 */
class RunSchemaTest {
  @TempDir Path dir;

  private String legacyCopy() throws Exception {
    Path file = dir.resolve("runs.db");
    try (InputStream legacy = getClass().getResourceAsStream("/runs/legacy-runs.db")) {
      Files.copy(legacy, file);
    }
    return "jdbc:sqlite:" + file;
  }

  private static List<String> history(String url) throws Exception {
    List<String> versions = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement();
        ResultSet r =
            s.executeQuery(
                "SELECT version, type FROM "
                    + RunSchema.HISTORY_TABLE
                    + " WHERE success=1 ORDER BY installed_rank")) {
      while (r.next()) {
        versions.add(r.getString(1) + ":" + r.getString(2));
      }
    }
    return versions;
  }

  @Test
  void aNewStoreIsCreatedByItsMigrations() throws Exception {
    String url = "jdbc:sqlite:" + dir.resolve("new/runs.db");
    try (Stores stores = Stores.open(url)) {
      stores.store().insert(Stores.queued("r-1", Instant.now()));
    }
    assertEquals(
        List.of("1:SQL", "2:SQL", "3:SQL", "4:SQL", "5:SQL", "6:SQL", "7:SQL", "8:SQL", "9:SQL"),
        history(url));
    assertEquals(0, RunSchema.migrate(url).migrationsExecuted, "a second start migrates nothing");
  }

  @Test
  void aStoreFromBeforeMigrationsUpgradesInPlaceWithItsRunsAndKeys() throws Exception {
    String url = legacyCopy();
    try (Stores stores = Stores.open(url)) {
      RunStore store = stores.store();
      RunRecord succeeded = store.get("r-succeeded").orElseThrow();
      assertEquals(RunStatus.SUCCEEDED, succeeded.status());
      assertEquals(Instant.parse("2026-11-25T10:00:01Z"), succeeded.startedAt());
      assertEquals(2L, succeeded.rowCount());
      assertEquals("7507442581080545442", succeeded.saved().snapshotId());
      assertEquals("hello from before the upgrade\n", succeeded.logs().text());
      assertEquals("/nonexistent/r-succeeded.arrows", succeeded.resultFile());
      assertFalse(succeeded.commitStarted());
      RunRecord failed = store.get("r-failed").orElseThrow();
      assertEquals(ErrorCode.SCRIPT_ERROR, failed.error().code());
      assertEquals("look at line 2", failed.error().diagnostics().hint());
      assertEquals("lake", failed.catalog());
      assertEquals(4, store.list(null, null, 10).size());

      // The restart that upgrades it also fails what was in flight; its keyed run may run again.
      assertEquals(2, store.failInFlight(Instant.now()));
      RunRecord stranded = store.get("r-running").orElseThrow();
      assertTrue(stranded.error().getMessage().contains("service restarted"));
      assertTrue(stranded.failedInsideFloe());
      assertTrue(
          stores
              .claims()
              .claim(
                  "anonymous\nkey-1",
                  "hash-1",
                  Stores.queued("r-again", Instant.now()),
                  Instant.parse("2026-11-25T00:00:00Z"))
              .isEmpty());
      assertNull(store.get("r-again").orElseThrow().startedAt());
    }
    assertEquals(
        List.of(
            "1:BASELINE", "2:SQL", "3:SQL", "4:SQL", "5:SQL", "6:SQL", "7:SQL", "8:SQL", "9:SQL"),
        history(url));
  }

  @Test
  void anotherDatabaseIsRefusedNamingTheTwoThatAreSupported() {
    IllegalStateException refused =
        assertThrows(
            IllegalStateException.class,
            () -> RunDatabase.open("jdbc:mysql://localhost/floe?user=floe&password=s3cret"));
    assertTrue(refused.getMessage().contains("SQLite (jdbc:sqlite:<file>)"), refused.getMessage());
    assertTrue(refused.getMessage().contains("PostgreSQL (jdbc:postgresql://"));
    assertFalse(refused.getMessage().contains("s3cret"), refused.getMessage());
  }

  @Test
  void aPasswordInTheUrlIsNeverInTheErrorOfAStoreThatCannotBeOpened() {
    // Nothing listens on port 1: the connection is refused.
    IllegalStateException refused =
        assertThrows(
            IllegalStateException.class,
            () -> RunDatabase.open("jdbc:postgresql://127.0.0.1:1/floe?user=floe&password=s3cret"));
    String all = refused.getMessage() + " " + refused.getCause();
    assertFalse(all.contains("s3cret"), all);
    assertTrue(refused.getMessage().contains("password=***"), refused.getMessage());
  }
}
